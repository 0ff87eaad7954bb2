// Loading e-TLE notices (CONTRACT §5) from CSV (`tilangbot import etle FILE.csv`) or the JSON API
// (POST /api/v1/etle/notices): every row validated on its own (a bad row is reported with its line
// or index and the reason, the rest load), then each new notice and its template outbox row are
// stored in one transaction (storage/etle_store.hpp), rows_per_transaction at a time. Idempotent by
// notice_id: a notice already stored is counted as a duplicate and never sent again. Every import is
// one batch. A CSV file is streamed (bot/csv.hpp): memory is bounded by one transaction's notices,
// not by the size of the file.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/csv.hpp"
#include "bot/etle_template.hpp"
#include "storage/etle_store.hpp"

namespace tilang::bot {

struct EtleImportOptions {
  std::string business_number;          // the office (WA_PHONE_NUMBER_ID)
  EtleTemplateConfig template_config;
  std::chrono::minutes utc_offset{7 * 60};  // the office's local time: confirm_by ends at its midnight
  int payment_days = 15;                // payment_deadline when not given: violation date + this (H+15)
  std::size_t rows_per_transaction = 500;
};

// The options of the service configuration (office, template).
EtleImportOptions etle_import_options(const Config& config);

// Owner numbers: "0812-3456-7890" -> "6281234567890", "+62 812..." -> "62812...", spaces, dashes,
// dots and parentheses dropped; then 10-15 digits not starting with 0. nullopt otherwise.
std::optional<std::string> normalise_owner_wa(std::string_view text);

// Photo links: empty, or https:// on an official *.go.id host (no user info, no file to install).
// The reason when refused.
std::optional<std::string> photo_url_problem(std::string_view url);

// One notice given as column -> value (names lower-case): the stored row with its deadline instants,
// or the reason it is refused.
std::variant<storage::NewNotice, std::string> validate_notice(const std::map<std::string, std::string>& fields,
                                                              const EtleImportOptions& options);

struct EtleRejected {
  std::size_t where = 0;  // CSV: line number; JSON: array index
  std::string reason;
};

// Where rejected rows go as they are found (the command line prints them), instead of the result.
using EtleRejectSink = std::function<void(const EtleRejected&)>;

struct EtleImportResult {
  std::string batch;
  int accepted = 0;
  int duplicates = 0;
  std::vector<EtleRejected> rejected;  // in input order; empty when a sink took them
  std::size_t rejected_count = 0;      // all rejected rows, kept or given to the sink
  std::size_t peak_rows_held = 0;      // most validated notices held at once (<= rows_per_transaction)
  std::string error;  // the whole input was refused (no header, missing columns, not an array, storage)
  bool ok() const { return error.empty(); }
};

// A new batch id: "ETLE-YYYYMMDD-HHMMSS-xxxx" (UTC time, random suffix).
std::string new_etle_batch_id(std::int64_t now_ms);

// Reads the CSV records from `reader` as they come; `label` names the batch (the file). Rejected rows
// go to `sink` when one is given, otherwise into the result.
EtleImportResult import_etle_csv(storage::EtleStore& store, CsvReader& reader, const EtleImportOptions& options,
                                 const std::string& label, std::int64_t now_ms, const EtleRejectSink& sink = {});
// A CSV text already in memory.
EtleImportResult import_etle_csv(storage::EtleStore& store, std::string_view csv, const EtleImportOptions& options,
                                 const std::string& label, std::int64_t now_ms);
EtleImportResult import_etle_json(storage::EtleStore& store, const nlohmann::json& array,
                                  const EtleImportOptions& options, std::int64_t now_ms);

// `tilangbot import etle FILE.csv`: opens (creating, migrating) the database, streams the file in,
// prints every rejected line as it is found, then the batch and the counts. Returns the exit code (0,
// or 1 when the file could not be read or stored; rejected rows alone are not a failure). A running
// `serve` sends the notices. `chunk_size`: bytes read at a time.
int run_import_etle(const std::string& db_path, const std::string& file, const EtleImportOptions& options,
                    std::ostream& out, std::ostream& err,
                    std::size_t chunk_size = CsvReader::default_chunk_size);

// {accepted, duplicates, rejected:[{<where_name>, reason}], batch}
nlohmann::json to_json(const EtleImportResult& result, const char* where_name);

}  // namespace tilang::bot
