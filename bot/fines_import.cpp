#include "bot/fines_import.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include "bot/import_command.hpp"
#include "flows/text_match.hpp"

namespace tilang::bot {
namespace {

const std::vector<std::string>& required_columns() {
  static const std::vector<std::string> columns{"register_no", "plate",       "violator_name", "violation_date",
                                                "article",     "fine_amount", "evidence",      "status"};
  return columns;
}

bool valid_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(std::stoi(s.substr(0, 4))),
                                        std::chrono::month(static_cast<unsigned>(std::stoi(s.substr(5, 2)))),
                                        std::chrono::day(static_cast<unsigned>(std::stoi(s.substr(8, 2))))};
  return ymd.ok();
}

// Whole rupiah: digits only (at most 13), so "500000" but not "500.000" or "-5".
std::optional<std::int64_t> parse_amount(const std::string& s) {
  if (s.empty() || s.size() > 13) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::string field(const std::map<std::string, std::string>& m, const std::string& name) {
  auto it = m.find(name);
  return it == m.end() ? std::string() : trim_field(it->second);
}

// Commits every few hundred rows so a large file never holds the write lock for long
// (the webhook ingest shares the database).
constexpr int rows_per_transaction = 500;

// Upserts validated fines and counts the outcomes, for the CSV and the JSON path alike.
class FineLoader {
 public:
  FineLoader(storage::EngineStore& store, std::string business_number, std::int64_t now_ms, FineImportResult& result,
             const FineRejectSink& sink)
      : store_(store), business_number_(std::move(business_number)), now_ms_(now_ms), result_(result), sink_(sink) {}

  // Validates and upserts one fine; false when a commit failed (result.error set).
  bool add(std::size_t where, const std::map<std::string, std::string>& fields) {
    auto valid = validate_fine(fields);
    if (auto* reason = std::get_if<std::string>(&valid)) {
      reject(where, std::move(*reason));
      return true;
    }
    auto& row = std::get<storage::FineRow>(valid);
    row.business_number = business_number_;
    switch (store_.upsert_fine(row, now_ms_)) {
      case storage::UpsertOutcome::inserted: ++result_.inserted; break;
      case storage::UpsertOutcome::updated: ++result_.updated; break;
      case storage::UpsertOutcome::unchanged: ++result_.unchanged; break;
      case storage::UpsertOutcome::failed: reject(where, "could not be stored"); break;
    }
    if (++in_transaction_ < rows_per_transaction) return true;
    in_transaction_ = 0;
    return commit();
  }

  void reject(std::size_t where, std::string reason) {
    ++result_.rejected_count;
    if (sink_) sink_(RejectedRow{where, std::move(reason)});
    else result_.rejected.push_back({where, std::move(reason)});
  }

  bool commit() {
    if (auto s = store_.commit(); !s.ok) {
      result_.error = "cannot store: " + s.error;
      return false;
    }
    return true;
  }

 private:
  storage::EngineStore& store_;
  const std::string business_number_;
  const std::int64_t now_ms_;
  FineImportResult& result_;
  const FineRejectSink& sink_;
  int in_transaction_ = 0;
};

}  // namespace

std::variant<storage::FineRow, std::string> validate_fine(const std::map<std::string, std::string>& fields) {
  storage::FineRow f;
  const std::string reg = field(fields, "register_no");
  if (reg.empty()) return std::string("register_no is empty");
  auto canonical_reg = flows::normalise_register_no(reg);
  if (!canonical_reg) return "register_no '" + reg + "' is not a register number (1-2 letters then 5-10 digits)";
  f.register_no = *canonical_reg;

  const std::string plate = field(fields, "plate");
  auto canonical_plate = flows::normalise_plate(plate);
  if (!canonical_plate) return "plate '" + plate + "' is not a vehicle plate (e.g. B 1234 XYZ)";
  f.plate = flows::display_plate(*canonical_plate);
  f.plate_normalized = *canonical_plate;

  f.violator_name = field(fields, "violator_name");
  if (f.violator_name.empty()) return std::string("violator_name is empty");

  f.violation_date = field(fields, "violation_date");
  if (!valid_date(f.violation_date)) return "violation_date '" + f.violation_date + "' is not a date YYYY-MM-DD";

  f.article = field(fields, "article");
  if (f.article.empty()) return std::string("article is empty");

  const std::string amount = field(fields, "fine_amount");
  auto fine = parse_amount(amount);
  if (!fine || *fine == 0) return "fine_amount '" + amount + "' is not a whole rupiah amount above 0";
  f.fine_amount = *fine;

  const std::string court = field(fields, "court_fee");
  if (court.empty()) {
    f.court_fee = 0;
  } else if (auto fee = parse_amount(court)) {
    f.court_fee = *fee;
  } else {
    return "court_fee '" + court + "' is not a whole rupiah amount";
  }

  f.evidence = ascii_upper(field(fields, "evidence"));
  if (f.evidence == "SIM + STNK" || f.evidence == "SIM/STNK") f.evidence = "SIM+STNK";
  if (f.evidence != "SIM" && f.evidence != "STNK" && f.evidence != "SIM+STNK" && f.evidence != "KENDARAAN") {
    return "evidence '" + field(fields, "evidence") + "' is not SIM, STNK, SIM+STNK or KENDARAAN";
  }

  f.hearing_date = field(fields, "hearing_date");
  if (!f.hearing_date.empty() && !valid_date(f.hearing_date)) {
    return "hearing_date '" + f.hearing_date + "' is not a date YYYY-MM-DD";
  }
  f.office = field(fields, "office");

  f.status = ascii_upper(field(fields, "status"));
  if (f.status.empty()) f.status = "UNPAID";
  if (f.status != "UNPAID" && f.status != "PAID" && f.status != "PICKED_UP") {
    return "status '" + field(fields, "status") + "' is not UNPAID, PAID or PICKED_UP";
  }
  return f;
}

FineImportResult import_fines_csv(storage::EngineStore& store, CsvReader& reader, const std::string& business_number,
                                  std::int64_t now_ms, const FineRejectSink& sink) {
  FineImportResult result;
  CsvTableReader table(reader, required_columns());
  if (!table.error().empty()) {
    result.error = table.error();
    return result;
  }
  FineLoader loader(store, business_number, now_ms, result, sink);
  CsvTableReader::Row row;
  while (table.next(row)) {
    if (!row.error.empty()) {
      loader.reject(row.line, row.error);
      continue;
    }
    if (!loader.add(row.line, row.fields)) return result;
  }
  loader.commit();
  if (!table.trailing_error().empty()) {
    loader.reject(table.trailing_error_line(), table.trailing_error() + " (rest of the file skipped)");
  }
  // What was read before the failure is stored; importing the file again loads the rest.
  if (result.ok() && reader.read_failed()) result.error = "the file could not be read to the end";
  return result;
}

FineImportResult import_fines_csv(storage::EngineStore& store, std::string_view csv, const std::string& business_number,
                                  std::int64_t now_ms) {
  CsvReader reader(csv);
  return import_fines_csv(store, reader, business_number, now_ms);
}

FineImportResult import_fines_json(storage::EngineStore& store, const nlohmann::json& array,
                                   const std::string& business_number, std::int64_t now_ms) {
  FineImportResult result;
  if (!array.is_array()) {
    result.error = "the body must be a JSON array of fines";
    return result;
  }
  const FineRejectSink keep;  // the API answers with every rejected item
  FineLoader loader(store, business_number, now_ms, result, keep);
  for (std::size_t i = 0; i < array.size(); ++i) {
    const auto& item = array[i];
    if (!item.is_object()) {
      loader.reject(i, "not a JSON object");
      continue;
    }
    std::map<std::string, std::string> fields;
    std::string bad;
    for (const auto& [key, value] : item.items()) {
      if (value.is_string()) fields[ascii_lower(key)] = value.get<std::string>();
      else if (value.is_number_integer()) fields[ascii_lower(key)] = std::to_string(value.get<std::int64_t>());
      else if (value.is_null()) fields[ascii_lower(key)] = "";
      else if (std::find(required_columns().begin(), required_columns().end(), ascii_lower(key)) != required_columns().end() ||
               key == "court_fee" || key == "hearing_date" || key == "office") {
        bad = key + " must be a string or a whole number";
      }
    }
    if (!bad.empty()) {
      loader.reject(i, std::move(bad));
      continue;
    }
    if (!loader.add(i, fields)) return result;
  }
  loader.commit();
  return result;
}

int run_import_fines(const std::string& db_path, const std::string& file, const std::string& business_number,
                     std::ostream& out, std::ostream& err, std::size_t chunk_size) {
  return run_import_command(
      file, out, err, chunk_size, [&] { return storage::open_sqlite_engine_store(db_path); },
      [&](storage::EngineStore& store, CsvReader& reader, std::int64_t now, const auto& print) {
        return import_fines_csv(store, reader, business_number, now, FineRejectSink(print));
      },
      [](const FineImportResult& result) {
        return "fines: " + std::to_string(result.inserted) + " inserted, " + std::to_string(result.updated) +
               " updated, " + std::to_string(result.unchanged) + " unchanged, " + std::to_string(result.rejected_count) +
               " rejected";
      });
}

nlohmann::json to_json(const FineImportResult& result, const char* where_name) {
  nlohmann::json rejected = nlohmann::json::array();
  for (const auto& r : result.rejected) rejected.push_back({{where_name, r.where}, {"reason", r.reason}});
  return {{"inserted", result.inserted},
          {"updated", result.updated},
          {"unchanged", result.unchanged},
          {"rejected", rejected}};
}

}  // namespace tilang::bot
