#include "bot/agent_admin.hpp"

#include <istream>
#include <ostream>
#include <stdexcept>

#include "bot/auth.hpp"
#include "bot/clock.hpp"
#include "bot/privacy.hpp"
#include "storage/console_store.hpp"

namespace tilang::bot {
namespace {

bool valid_username(const std::string& name) {
  if (name.size() < 2 || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace

int run_agent_add(const std::string& db_path, const std::string& username, const std::string& role, std::istream& in,
                  std::ostream& out, std::ostream& err) {
  if (!valid_username(username)) {
    err << "tilangbot: username must be 2-64 characters of a-z, 0-9, '.', '_' or '-'\n";
    return 2;
  }
  if (!parse_role(role)) {
    err << "tilangbot: --role must be agent, supervisor or admin\n";
    return 2;
  }
  std::string password;
  std::getline(in, password);
  while (!password.empty() && (password.back() == '\r' || password.back() == '\n')) password.pop_back();
  if (password.size() < 8) {
    err << "tilangbot: the password (read from stdin) must have at least 8 characters\n";
    return 2;
  }
  try {
    storage::ConsoleStore store(db_path);
    if (auto s = store.upsert_agent(username, role, hash_password(password), wall_clock_ms()); !s.ok) {
      err << "tilangbot: cannot store the account: " << s.error << "\n";
      return 1;
    }
  } catch (const std::exception& e) {
    err << "tilangbot: " << e.what() << "\n";
    return 1;
  }
  out << "agent " << username << " (" << role << ") saved\n";
  return 0;
}

int run_agent_disable(const std::string& db_path, const std::string& username, std::ostream& out, std::ostream& err) {
  try {
    storage::ConsoleStore store(db_path);
    const auto disabled = store.disable_agent(username, wall_clock_ms());
    if (!disabled.status.ok) {
      err << "tilangbot: cannot disable " << username << ": " << disabled.status.error << "\n";
      return 1;
    }
    if (!disabled.found) {
      err << "tilangbot: there is no console account named " << username << "\n";
      return 2;
    }
    out << "agent " << username << " disabled; " << disabled.sessions_ended
        << " session(s) ended (`agent add` enables it again)\n";
    return 0;
  } catch (const std::exception& e) {
    err << "tilangbot: " << e.what() << "\n";
    return 1;
  }
}

bool ensure_demo_agent(const std::string& db_path) {
  storage::ConsoleStore store(db_path);
  if (store.agent(demo_console_user)) return false;
  if (auto s = store.upsert_agent(demo_console_user, "supervisor", hash_password(demo_console_password), wall_clock_ms()); !s.ok) {
    throw std::runtime_error("demo login: " + s.error);
  }
  return true;
}

}  // namespace tilang::bot
