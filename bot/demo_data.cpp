#include "bot/demo_data.hpp"

#include <cstdio>

#include "flows/text_match.hpp"

namespace tilang::bot {
namespace {

struct DemoFine {
  const char* register_no;
  const char* plate;
  const char* name;
  const char* date;
  const char* article;
  std::int64_t fine;
  std::int64_t court_fee;
  const char* evidence;
  const char* hearing;
  const char* status;
};

// Amounts are the common maxima of UU 22/2009 (DOMAIN.md).
constexpr DemoFine demo_fines[] = {
    {"E1234567", "B 1234 XYZ", "Budi Santoso", "2025-05-02", "287 ayat (1)", 500000, 5000, "SIM", "2025-05-23", "UNPAID"},
    {"E1234568", "B 1234 XYZ", "Budi Santoso", "2025-05-20", "283", 750000, 5000, "STNK", "2025-06-06", "UNPAID"},
    {"E2345678", "D 4321 ABC", "Siti Rahmawati", "2025-04-11", "289", 250000, 5000, "SIM", "2025-05-02", "PAID"},
    {"E3456789", "F 777 GH", "Agus Wijaya", "2025-05-15", "291", 250000, 5000, "STNK", "2025-06-05", "UNPAID"},
    {"E4567890", "L 9999 KM", "Dewi Lestari", "2025-03-03", "281", 1000000, 5000, "SIM+STNK", "2025-03-24",
     "PICKED_UP"},
    {"E5678901", "AB 1 CD", "Rudi Hartono", "2025-05-18", "287 ayat (5)", 500000, 5000, "KENDARAAN", "2025-06-06",
     "UNPAID"},
};

struct DemoTariff {
  const char* city;
  std::int64_t fee;
};
constexpr DemoTariff demo_tariffs[] = {
    {"*", 25000},         {"jakarta", 15000},   {"jakarta pusat", 15000}, {"jakarta selatan", 15000},
    {"jakarta timur", 15000}, {"jakarta barat", 15000}, {"jakarta utara", 15000}, {"bogor", 20000},
    {"depok", 20000},     {"tangerang", 20000}, {"bekasi", 20000},        {"bandung", 30000},
};

struct SlotTime {
  const char* start;
  const char* end;
};
constexpr SlotTime slot_times[] = {{"08:00", "10:00"}, {"10:00", "12:00"}, {"13:00", "15:00"}};
constexpr int slot_capacity = 20;

}  // namespace

DemoSummary load_demo_data(storage::EngineStore& store, const std::string& business_number,
                           std::chrono::system_clock::time_point now, std::chrono::minutes utc_offset,
                           int working_days) {
  using namespace std::chrono;
  DemoSummary summary;
  const std::int64_t now_ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
  for (const auto& d : demo_fines) {
    storage::FineRow f;
    f.register_no = d.register_no;
    f.business_number = business_number;
    f.plate = d.plate;
    f.plate_normalized = flows::normalise_plate(d.plate).value_or(d.plate);
    f.violator_name = d.name;
    f.violation_date = d.date;
    f.article = d.article;
    f.fine_amount = d.fine;
    f.court_fee = d.court_fee;
    f.evidence = d.evidence;
    f.hearing_date = d.hearing;
    f.office = "Kejaksaan Negeri Jakarta Selatan";
    f.status = d.status;
    const auto outcome = store.upsert_fine(f, now_ms);
    if (outcome == storage::UpsertOutcome::failed) {
      store.abort();
      summary.error = "cannot store demo fine " + f.register_no;
      return summary;
    }
    if (outcome != storage::UpsertOutcome::unchanged) ++summary.fines;
  }
  for (const auto& t : demo_tariffs) {
    if (!store.upsert_tariff(business_number, t.city, t.fee).ok) {
      store.abort();
      summary.error = "cannot store demo tariffs";
      return summary;
    }
    ++summary.tariffs;
  }
  auto day = floor<days>(now + utc_offset);
  for (int added = 0; added < working_days;) {
    day += days(1);
    const weekday wd{day};
    if (wd == Saturday || wd == Sunday) continue;
    const year_month_day ymd{day};
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    for (const auto& st : slot_times) {
      storage::SlotRow slot;
      slot.business_number = business_number;
      slot.date = date;
      slot.start_time = st.start;
      slot.end_time = st.end;
      slot.capacity = slot_capacity;
      if (!store.upsert_slot(slot).ok) {
        store.abort();
        summary.error = "cannot store demo slots";
        return summary;
      }
      ++summary.slots;
    }
    ++added;
  }
  if (auto s = store.commit(); !s.ok) summary.error = "cannot store demo data: " + s.error;
  return summary;
}

}  // namespace tilang::bot
