// Console accounts from the command line: `tilangbot agent add USER --role agent|supervisor|admin`
// (the password is read from stdin), `tilangbot agent disable USER`, and the demo login of `serve --demo`.
#pragma once

#include <iosfwd>
#include <string>

namespace tilang::bot {

// Creates the account, or replaces the role and password of an existing one. Returns the exit
// code: 0 done, 2 bad username/role/password (a one-line reason on `err`), 1 storage failure.
int run_agent_add(const std::string& db_path, const std::string& username, const std::string& role, std::istream& in,
                  std::ostream& out, std::ostream& err);

// Disables the account and signs it out everywhere. Returns the exit code: 0 done, 2 no such
// account, 1 storage failure.
int run_agent_disable(const std::string& db_path, const std::string& username, std::ostream& out, std::ostream& err);

inline constexpr const char* demo_console_user = "petugas";
inline constexpr const char* demo_console_password = "demo12345";

// Creates the demo supervisor `petugas` / `demo12345` unless an account of that name exists.
// Returns true when it was created now. Throws std::runtime_error when storage fails.
bool ensure_demo_agent(const std::string& db_path);

}  // namespace tilang::bot
