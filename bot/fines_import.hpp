// Loading tilang fines (CONTRACT §5) from CSV (`tilangbot import fines FILE.csv`) or from the
// JSON API (POST /api/v1/fines): every row validated on its own, a bad row reported with its line
// number (CSV) or index (JSON) and the reason, the rest upserted idempotently by register_no. A CSV
// file is streamed (bot/csv.hpp): memory does not grow with the size of the file.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/csv.hpp"
#include "storage/engine_store.hpp"

namespace tilang::bot {

// Validates one fine given as column -> value (names lower-case); the reason when it is refused.
std::variant<storage::FineRow, std::string> validate_fine(const std::map<std::string, std::string>& fields);

struct RejectedRow {
  std::size_t where = 0;  // CSV: line number; JSON: array index
  std::string reason;
};

// Where rejected rows go as they are found (the command line prints them), instead of the result.
using FineRejectSink = std::function<void(const RejectedRow&)>;

struct FineImportResult {
  int inserted = 0;
  int updated = 0;
  int unchanged = 0;
  std::vector<RejectedRow> rejected;  // in input order; empty when a sink took them
  std::size_t rejected_count = 0;     // all rejected rows, kept or given to the sink
  std::string error;  // the whole input was refused (no header, missing columns, not an array, storage)
  bool ok() const { return error.empty(); }
};

// Reads the CSV records from `reader` as they come, validates and upserts (a commit every few hundred
// rows). `business_number` is stored on new rows (the office). Rejected rows go to `sink` when one is
// given, otherwise into the result.
FineImportResult import_fines_csv(storage::EngineStore& store, CsvReader& reader, const std::string& business_number,
                                  std::int64_t now_ms, const FineRejectSink& sink = {});
// A CSV text already in memory.
FineImportResult import_fines_csv(storage::EngineStore& store, std::string_view csv, const std::string& business_number,
                                  std::int64_t now_ms);
FineImportResult import_fines_json(storage::EngineStore& store, const nlohmann::json& array,
                                   const std::string& business_number, std::int64_t now_ms);

// `tilangbot import fines FILE.csv`: opens (creating, migrating) the database, streams the file in,
// prints every rejected line to `out` as it is found, then the counts; problems to `err`. Returns the
// exit code (0, or 1 when the file could not be read or stored; rejected rows alone are not a
// failure). `chunk_size`: bytes read at a time.
int run_import_fines(const std::string& db_path, const std::string& file, const std::string& business_number,
                     std::ostream& out, std::ostream& err, std::size_t chunk_size = CsvReader::default_chunk_size);

nlohmann::json to_json(const FineImportResult& result, const char* where_name);

}  // namespace tilang::bot
