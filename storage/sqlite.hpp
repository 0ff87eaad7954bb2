// Thin RAII wrappers over the SQLite C API: one connection, its prepared statements, and a
// transaction guard. Only storage/*.cpp files use them; sqlite3.h stays out of this header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace tilang::storage::sqlite {

class Connection;

enum class Step { row, done, error };

// A prepared statement, meant to be prepared once per connection and reused.
// Bind errors are remembered and reported by the next step(), so call sites can chain binds.
class Statement {
 public:
  Statement() = default;
  Statement(Connection& connection, std::string_view sql);  // throws std::runtime_error (a bug)
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Resets on entry and on exit: a statement left mid-result would keep a WAL read snapshot open.
  class Scope {
   public:
    explicit Scope(Statement& statement);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    Statement* operator->() { return &statement_; }
    Statement& operator*() { return statement_; }

   private:
    Statement& statement_;
  };
  [[nodiscard]] Scope use() { return Scope(*this); }
  bool prepared() const { return stmt_ != nullptr; }

  Statement& bind_int(int index, std::int64_t value);
  Statement& bind_text(int index, std::string_view value);
  Statement& bind_blob(int index, std::string_view value);
  Statement& bind_null(int index);

  Step step();
  // Steps once and expects no result row (INSERT/UPDATE/DDL).
  Status run();
  void reset();

  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;  // NULL reads as ""
  std::string column_blob(int index) const;
  bool column_is_null(int index) const;

  // The last step's error as one line (for Status messages).
  const std::string& error() const { return error_; }

 private:
  void note_bind(int rc);

  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
  int bind_rc_ = 0;
  std::string error_;
};

// One SQLite connection. Use from one thread at a time.
class Connection {
 public:
  // Opens (creating) the file and applies the connection pragmas: WAL, synchronous=FULL,
  // busy_timeout, foreign_keys. `page_size` (bytes, 0 = SQLite's default) applies to a new file
  // only. Throws std::runtime_error with a one-line reason.
  explicit Connection(const std::string& path, int busy_timeout_ms = 5000, int page_size = 0);
  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without results (or ignoring them).
  Status exec(std::string_view sql);
  // First column of the first row of `sql` as an integer; nullopt on error or no row.
  std::optional<std::int64_t> query_int(std::string_view sql);

  Statement prepare(std::string_view sql) { return Statement(*this, sql); }

  // Write transactions always start IMMEDIATE so two writers never deadlock on lock upgrade.
  Status begin_immediate();
  Status commit();
  void rollback();  // no-op when no transaction is open (SQLite may have rolled back already)
  bool in_transaction() const;

  std::int64_t changes() const;
  std::int64_t last_insert_id() const;  // rowid of this connection's latest INSERT
  std::string error_message() const;
  sqlite3* handle() const { return db_; }

 private:
  static int on_busy(void* timeout_ms, int count);

  sqlite3* db_ = nullptr;
  // Prepared lazily, once; moved along with the connection.
  Statement begin_;
  Statement commit_;
  Statement rollback_;
};

// Opens a write transaction; rolls it back on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& connection);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Whether BEGIN succeeded; if not, nothing else should run.
  const Status& status() const { return begin_status_; }
  Status commit();

 private:
  Connection& connection_;
  Status begin_status_;
  bool open_ = false;
};

}  // namespace tilang::storage::sqlite
