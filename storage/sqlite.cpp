#include "storage/sqlite.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <thread>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace tilang::storage::sqlite {
namespace {

// sqlite3_bind_* treat a null pointer as SQL NULL; an empty value must stay an empty value.
const char* non_null(std::string_view value) { return value.data() != nullptr ? value.data() : ""; }

std::string one_line(sqlite3* db, int rc) {
  std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return message + " (sqlite " + std::to_string(rc) + ")";
}

}  // namespace

// --- Statement ---------------------------------------------------------------

Statement::Statement(Connection& connection, std::string_view sql) : db_(connection.handle()) {
  // PERSISTENT: these statements live as long as the connection and are reused.
  const int rc =
      sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    throw std::runtime_error("cannot prepare SQL: " + one_line(db_, rc) + ": " + std::string(sql));
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      db_(std::exchange(other.db_, nullptr)),
      bind_rc_(std::exchange(other.bind_rc_, 0)),
      error_(std::move(other.error_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    db_ = std::exchange(other.db_, nullptr);
    bind_rc_ = std::exchange(other.bind_rc_, 0);
    error_ = std::move(other.error_);
  }
  return *this;
}

Statement::Scope::Scope(Statement& statement) : statement_(statement) { statement_.reset(); }
Statement::Scope::~Scope() { statement_.reset(); }

void Statement::note_bind(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

Statement& Statement::bind_int(int index, std::int64_t value) {
  note_bind(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::bind_text(int index, std::string_view value) {
  note_bind(sqlite3_bind_text64(stmt_, index, non_null(value), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view value) {
  note_bind(sqlite3_bind_blob64(stmt_, index, non_null(value), value.size(), SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::bind_null(int index) {
  note_bind(sqlite3_bind_null(stmt_, index));
  return *this;
}

Step Statement::step() {
  if (bind_rc_ != SQLITE_OK) {
    error_ = "bind failed: " + one_line(db_, bind_rc_);
    return Step::error;
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return Step::row;
  if (rc == SQLITE_DONE) return Step::done;
  error_ = one_line(db_, rc);
  return Step::error;
}

Status Statement::run() {
  switch (step()) {
    case Step::done:
      return Status::success();
    case Step::row:
      return Status::failure("statement returned a row where none was expected");
    case Step::error:
      break;
  }
  return Status::failure(error_);
}

void Statement::reset() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
}

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  const int bytes = sqlite3_column_bytes(stmt_, index);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(bytes));
}

std::string Statement::column_blob(int index) const {
  const void* blob = sqlite3_column_blob(stmt_, index);
  const int bytes = sqlite3_column_bytes(stmt_, index);
  if (blob == nullptr) return {};
  return std::string(static_cast<const char*>(blob), static_cast<std::size_t>(bytes));
}

bool Statement::column_is_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }

// --- Connection --------------------------------------------------------------

// SQLite's own busy timeout sleeps up to 100 ms at a time, far longer than the write transactions
// it waits for here (a group commit takes well under a millisecond): poll finely at first, then 1 ms.
int Connection::on_busy(void* timeout_ms, int count) {
  const auto limit_ms = static_cast<int>(reinterpret_cast<std::intptr_t>(timeout_ms));
  constexpr int fine_polls = 200;  // 200 x 50 us = the first 10 ms
  if (count < fine_polls) {
    std::this_thread::sleep_for(std::chrono::microseconds(50));
    return 1;
  }
  if (count - fine_polls + 10 >= limit_ms) return 0;
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return 1;
}

Connection::Connection(const std::string& path, int busy_timeout_ms, int page_size) {
  const std::filesystem::path file(path);
  if (file.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) {
      throw std::runtime_error("cannot create folder " + file.parent_path().string() + ": " + ec.message());
    }
  }
  // NOMUTEX: a connection is used by one thread at a time, so SQLite's own locking is waste.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = one_line(db_, rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open database " + path + ": " + why);
  }
  sqlite3_extended_result_codes(db_, 1);
  // The busy handler first: switching to WAL itself may wait for another connection.
  // The limit travels as the handler's pointer argument, so moving the Connection cannot dangle it.
  sqlite3_busy_handler(db_, &Connection::on_busy, reinterpret_cast<void*>(static_cast<std::intptr_t>(busy_timeout_ms)));
  // synchronous=FULL: with WAL, NORMAL could lose the last commits on power loss, and a 200
  // to Meta promises the notification is on disk.
  // The page size must be set before WAL mode: a WAL database cannot change it any more.
  const std::string setup = (page_size > 0 ? "PRAGMA page_size=" + std::to_string(page_size) + ";" : std::string()) +
                            "PRAGMA journal_mode=WAL;"
                            "PRAGMA synchronous=FULL;"
                            "PRAGMA foreign_keys=ON;";
  if (const Status status = exec(setup); !status.ok) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot set up database " + path + ": " + status.error);
  }
}

Connection::~Connection() {
  // Statements must be finalized before the handle closes.
  begin_ = Statement();
  commit_ = Statement();
  rollback_ = Statement();
  sqlite3_close_v2(db_);
}

Connection::Connection(Connection&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      begin_(std::move(other.begin_)),
      commit_(std::move(other.commit_)),
      rollback_(std::move(other.rollback_)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    begin_ = Statement();
    commit_ = Statement();
    rollback_ = Statement();
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    begin_ = std::move(other.begin_);
    commit_ = std::move(other.commit_);
    rollback_ = std::move(other.rollback_);
  }
  return *this;
}

Status Connection::exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Status::success();
  std::string why = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return Status::failure(why + " (sqlite " + std::to_string(rc) + ")");
}

std::optional<std::int64_t> Connection::query_int(std::string_view sql) {
  Statement statement(*this, sql);
  if (statement.step() != Step::row) return std::nullopt;
  return statement.column_int(0);
}

namespace {

Status run_cached(Connection& connection, Statement& statement, std::string_view sql) {
  if (!statement.prepared()) statement = connection.prepare(sql);
  auto use = statement.use();
  return use->run();
}

}  // namespace

Status Connection::begin_immediate() { return run_cached(*this, begin_, "BEGIN IMMEDIATE"); }

Status Connection::commit() { return run_cached(*this, commit_, "COMMIT"); }

void Connection::rollback() {
  if (in_transaction()) (void)run_cached(*this, rollback_, "ROLLBACK");
}

bool Connection::in_transaction() const { return db_ != nullptr && sqlite3_get_autocommit(db_) == 0; }

std::int64_t Connection::changes() const { return sqlite3_changes64(db_); }

std::int64_t Connection::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

std::string Connection::error_message() const { return sqlite3_errmsg(db_); }

// --- Transaction -------------------------------------------------------------

Transaction::Transaction(Connection& connection) : connection_(connection) {
  begin_status_ = connection_.begin_immediate();
  open_ = begin_status_.ok;
}

Transaction::~Transaction() {
  if (open_) connection_.rollback();
}

Status Transaction::commit() {
  if (!open_) return Status::failure(begin_status_.ok ? "transaction already ended" : begin_status_.error);
  Status status = connection_.commit();
  // A failed COMMIT (e.g. disk full) leaves the transaction open; the destructor rolls it back.
  if (status.ok) open_ = false;
  return status;
}

}  // namespace tilang::storage::sqlite
