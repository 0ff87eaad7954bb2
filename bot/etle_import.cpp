#include "bot/etle_import.hpp"

#include <algorithm>
#include <random>

#include "bot/csv.hpp"
#include "bot/import_command.hpp"
#include "flows/text_match.hpp"

namespace tilang::bot {
namespace {

constexpr std::int64_t day_ms = 86'400'000;

const std::vector<std::string>& required_columns() {
  static const std::vector<std::string> columns{"notice_id",      "plate",    "owner_wa", "violation_time",
                                                "location",       "article",  "confirm_by"};
  return columns;
}

// Every column a notice may have; JSON values for these must be strings or whole numbers.
const std::vector<std::string>& known_columns() {
  static const std::vector<std::string> columns{"notice_id", "plate",      "owner_name", "owner_wa",
                                                "violation_time", "location", "article",  "fine_amount",
                                                "photo_url", "confirm_by", "briva",      "payment_deadline"};
  return columns;
}

std::string field(const std::map<std::string, std::string>& m, const std::string& name) {
  auto it = m.find(name);
  return it == m.end() ? std::string() : trim_field(it->second);
}

// notice_id ends up in URLs (/api/v1/etle/notices/{id}) and in biz_opaque_callback_data.
bool valid_notice_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == ':';
  });
}

std::optional<std::int64_t> parse_amount(const std::string& s) {
  if (s.empty() || s.size() > 13) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Validated notices stored rows_per_transaction at a time (one transaction each, notice and template
// row together), for the CSV and the JSON path alike: a large input never holds the write lock
// (shared with the ingest) for long, nor more than one transaction's notices in memory.
class NoticeLoader {
 public:
  NoticeLoader(storage::EtleStore& store, storage::BatchInfo batch, const EtleImportOptions& options,
               std::int64_t now_ms, EtleImportResult& result, const EtleRejectSink& sink)
      : store_(store), batch_(std::move(batch)), options_(options), now_ms_(now_ms), result_(result), sink_(sink) {}

  void add(std::size_t where, const std::map<std::string, std::string>& fields) {
    auto valid = validate_notice(fields, options_);
    if (auto* reason = std::get_if<std::string>(&valid)) {
      reject(where, std::move(*reason));
      return;
    }
    pending_.push_back(std::move(std::get<storage::NewNotice>(valid)));
    result_.peak_rows_held = std::max(result_.peak_rows_held, pending_.size());
  }

  void reject(std::size_t where, std::string reason) {
    ++result_.rejected_count;
    ++rejected_;
    if (sink_) sink_(EtleRejected{where, std::move(reason)});
    else result_.rejected.push_back({where, std::move(reason)});
  }

  // Stores a full transaction's worth; false when the store failed (result.error set).
  bool flush_if_full() {
    if (pending_.size() < options_.rows_per_transaction) return true;
    return flush();
  }

  // Stores the rest; an import with nothing to store still records its (empty) batch, so the batch id
  // printed always exists.
  void finish() {
    if (pending_.empty() && rejected_ == 0) {
      auto stored = store_.enqueue(batch_, {}, 0, now_ms_);
      if (!stored.status.ok) result_.error = "cannot store: " + stored.status.error;
      return;
    }
    flush();
  }

 private:
  bool flush() {
    if (pending_.empty() && rejected_ == 0) return true;
    auto stored = store_.enqueue(batch_, pending_, rejected_, now_ms_);
    pending_.clear();
    rejected_ = 0;
    if (!stored.status.ok) {
      result_.error = "cannot store: " + stored.status.error;
      return false;
    }
    result_.accepted += stored.accepted;
    result_.duplicates += stored.duplicates;
    return true;
  }

  storage::EtleStore& store_;
  const storage::BatchInfo batch_;
  const EtleImportOptions& options_;
  const std::int64_t now_ms_;
  EtleImportResult& result_;
  const EtleRejectSink& sink_;
  std::vector<storage::NewNotice> pending_;
  int rejected_ = 0;  // rejected since the last transaction (added to the batch's count with it)
};

}  // namespace

EtleImportOptions etle_import_options(const Config& config) {
  EtleImportOptions o;
  o.business_number = config.phone_number_id;
  o.template_config = etle_template_config(config);
  return o;
}

std::optional<std::string> normalise_owner_wa(std::string_view text) {
  std::string d;
  std::string t = trim_field(text);
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c >= '0' && c <= '9') d += c;
    else if (c == '+' && d.empty() && i == 0) continue;
    else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') continue;
    else return std::nullopt;
  }
  if (d.starts_with("08")) d = "62" + d.substr(1);
  if (d.size() < 10 || d.size() > 15 || d[0] == '0') return std::nullopt;
  return d;
}

std::optional<std::string> photo_url_problem(std::string_view url) {
  if (url.empty()) return std::nullopt;
  constexpr std::string_view scheme = "https://";
  if (ascii_lower(std::string(url.substr(0, scheme.size()))) != scheme) return "photo_url must be an https:// link";
  std::string_view rest = url.substr(scheme.size());
  const auto end = rest.find_first_of("/?#");
  std::string authority = ascii_lower(std::string(rest.substr(0, end)));
  if (authority.find('@') != std::string::npos) return "photo_url must not carry user info";
  if (const auto colon = authority.rfind(':'); colon != std::string::npos) authority.resize(colon);
  if (authority.size() <= 6 || !authority.ends_with(".go.id") ||
      !std::all_of(authority.begin(), authority.end(),
                   [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'; })) {
    return "photo_url must be on an official .go.id host";
  }
  // A link, never a file to install: scam messages carry APKs.
  std::string path = ascii_lower(std::string(end == std::string_view::npos ? std::string_view() : rest.substr(end)));
  if (const auto q = path.find_first_of("?#"); q != std::string::npos) path.resize(q);
  for (const char* ext : {".apk", ".xapk", ".exe", ".msi", ".bat", ".cmd", ".sh", ".js", ".jar", ".zip", ".rar"}) {
    if (path.ends_with(ext)) return "photo_url must be a page or a picture, not a file to install";
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= ' ') return "photo_url must not contain spaces or control characters";
  }
  return std::nullopt;
}

std::variant<storage::NewNotice, std::string> validate_notice(const std::map<std::string, std::string>& fields,
                                                              const EtleImportOptions& options) {
  storage::NewNotice out;
  storage::NoticeRow& n = out.notice;
  n.business_number = options.business_number;

  n.notice_id = field(fields, "notice_id");
  if (n.notice_id.empty()) return std::string("notice_id is empty");
  if (!valid_notice_id(n.notice_id)) {
    return "notice_id '" + n.notice_id + "' must be 1-64 letters, digits, '-', '_', '.' or ':'";
  }

  const std::string plate = field(fields, "plate");
  auto canonical = flows::normalise_plate(plate);
  if (!canonical) return "plate '" + plate + "' is not a vehicle plate (e.g. B 1234 XYZ)";
  n.plate = flows::display_plate(*canonical);
  n.plate_normalized = *canonical;

  n.owner_name = field(fields, "owner_name");

  const std::string wa = field(fields, "owner_wa");
  auto owner = normalise_owner_wa(wa);
  if (!owner) return "owner_wa '" + wa + "' is not a WhatsApp number (10-15 digits with country code, or 08...)";
  n.owner_wa = *owner;

  n.violation_time = field(fields, "violation_time");
  auto when = parse_iso_time(n.violation_time);
  if (!when) {
    return "violation_time '" + n.violation_time + "' is not ISO 8601 with an offset (e.g. 2025-05-12T08:31:00+07:00)";
  }

  n.location = field(fields, "location");
  if (n.location.empty()) return std::string("location is empty");
  n.article = field(fields, "article");
  if (n.article.empty()) return std::string("article is empty");

  const std::string amount = field(fields, "fine_amount");
  if (!amount.empty()) {
    auto fine = parse_amount(amount);
    if (!fine) return "fine_amount '" + amount + "' is not a whole rupiah amount";
    n.fine_amount = *fine;
  }

  n.photo_url = field(fields, "photo_url");
  if (auto problem = photo_url_problem(n.photo_url)) return *problem;

  n.confirm_by = field(fields, "confirm_by");
  auto confirm_days = parse_date_days(n.confirm_by);
  if (!confirm_days) return "confirm_by '" + n.confirm_by + "' is not a date YYYY-MM-DD";
  const std::int64_t offset_ms = std::chrono::milliseconds(options.utc_offset).count();
  // The violation's day in the office's time: a deadline before it is a data error.
  const std::int64_t violation_day = (when->epoch_ms + offset_ms) / day_ms;
  if (*confirm_days < violation_day) return "confirm_by " + n.confirm_by + " is before the violation";
  out.confirm_by_start_ms = *confirm_days * day_ms - offset_ms;
  out.expires_at_ms = out.confirm_by_start_ms + day_ms;

  n.briva = field(fields, "briva");
  if (!n.briva.empty() && !std::all_of(n.briva.begin(), n.briva.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return "briva '" + n.briva + "' must be digits";
  }
  n.payment_deadline = field(fields, "payment_deadline");
  if (n.payment_deadline.empty()) {
    n.payment_deadline = format_date_days(violation_day + options.payment_days);
  } else if (!parse_date_days(n.payment_deadline)) {
    return "payment_deadline '" + n.payment_deadline + "' is not a date YYYY-MM-DD";
  }
  out.template_body_json = etle_template_body(options.template_config, n);
  return out;
}

std::string new_etle_batch_id(std::int64_t now_ms) {
  const std::int64_t s = now_ms / 1000;
  const std::int64_t days = s / 86400;
  const std::int64_t sec = s % 86400;
  std::string date = format_date_days(days);
  date.erase(std::remove(date.begin(), date.end(), '-'), date.end());
  thread_local std::mt19937 rng{std::random_device{}()};
  char buf[48];
  std::snprintf(buf, sizeof buf, "ETLE-%s-%02d%02d%02d-%04x", date.c_str(), static_cast<int>(sec / 3600),
                static_cast<int>(sec / 60 % 60), static_cast<int>(sec % 60), static_cast<unsigned>(rng() & 0xffffU));
  return buf;
}

EtleImportResult import_etle_csv(storage::EtleStore& store, CsvReader& reader, const EtleImportOptions& options,
                                 const std::string& label, std::int64_t now_ms, const EtleRejectSink& sink) {
  EtleImportResult result;
  CsvTableReader table(reader, required_columns());
  if (!table.error().empty()) {
    result.error = table.error();
    return result;
  }
  result.batch = new_etle_batch_id(now_ms);
  NoticeLoader loader(store, {result.batch, options.business_number, "csv", label}, options, now_ms, result, sink);
  CsvTableReader::Row row;
  while (table.next(row)) {
    if (!row.error.empty()) loader.reject(row.line, row.error);
    else loader.add(row.line, row.fields);
    if (!loader.flush_if_full()) return result;
  }
  if (!table.trailing_error().empty()) {
    loader.reject(table.trailing_error_line(), table.trailing_error() + " (rest of the file skipped)");
  }
  loader.finish();
  // What was read before the failure is stored; importing the file again loads the rest.
  if (result.ok() && reader.read_failed()) result.error = "the file could not be read to the end";
  return result;
}

EtleImportResult import_etle_csv(storage::EtleStore& store, std::string_view csv, const EtleImportOptions& options,
                                 const std::string& label, std::int64_t now_ms) {
  CsvReader reader(csv);
  return import_etle_csv(store, reader, options, label, now_ms);
}

EtleImportResult import_etle_json(storage::EtleStore& store, const nlohmann::json& array,
                                  const EtleImportOptions& options, std::int64_t now_ms) {
  EtleImportResult result;
  if (!array.is_array()) {
    result.error = "the body must be a JSON array of notices";
    return result;
  }
  result.batch = new_etle_batch_id(now_ms);
  const EtleRejectSink keep;  // the API answers with every rejected item
  NoticeLoader loader(store, {result.batch, options.business_number, "api", ""}, options, now_ms, result, keep);
  for (std::size_t i = 0; i < array.size(); ++i) {
    const auto& item = array[i];
    std::string bad;
    std::map<std::string, std::string> fields;
    if (!item.is_object()) {
      bad = "not a JSON object";
    } else {
      for (const auto& [key, value] : item.items()) {
        const std::string name = ascii_lower(key);
        if (value.is_string()) fields[name] = value.get<std::string>();
        else if (value.is_number_integer()) fields[name] = std::to_string(value.get<std::int64_t>());
        else if (value.is_null()) fields[name] = "";
        else if (std::find(known_columns().begin(), known_columns().end(), name) != known_columns().end()) {
          bad = key + " must be a string or a whole number";
        }
      }
    }
    if (bad.empty()) loader.add(i, fields);
    else loader.reject(i, std::move(bad));
    if (!loader.flush_if_full()) return result;
  }
  loader.finish();
  return result;
}

int run_import_etle(const std::string& db_path, const std::string& file, const EtleImportOptions& options,
                    std::ostream& out, std::ostream& err, std::size_t chunk_size) {
  return run_import_command(
      file, out, err, chunk_size, [&] { return storage::open_sqlite_etle_store(db_path); },
      [&](storage::EtleStore& store, CsvReader& reader, std::int64_t now, const auto& print) {
        return import_etle_csv(store, reader, options, file, now, EtleRejectSink(print));
      },
      [](const EtleImportResult& result) {
        return "etle batch " + (result.batch.empty() ? std::string("-") : result.batch) + ": " +
               std::to_string(result.accepted) + " accepted, " + std::to_string(result.duplicates) + " duplicates, " +
               std::to_string(result.rejected_count) + " rejected";
      });
}

nlohmann::json to_json(const EtleImportResult& result, const char* where_name) {
  nlohmann::json rejected = nlohmann::json::array();
  for (const auto& r : result.rejected) rejected.push_back({{where_name, r.where}, {"reason", r.reason}});
  return {{"accepted", result.accepted},
          {"duplicates", result.duplicates},
          {"rejected", rejected},
          {"batch", result.batch}};
}

}  // namespace tilang::bot
