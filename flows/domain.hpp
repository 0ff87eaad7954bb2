// Domain records the flows read (fed to them by the engine; flows never query storage).
#pragma once

#include <cstdint>
#include <string>

namespace tilang::flows {

// One tilang fine (CONTRACT §5 fields).
struct Fine {
  std::string register_no;
  std::string plate;            // canonical, e.g. "B1234XYZ"
  std::string violator_name;    // unmasked; the flow masks it before showing
  std::string violation_date;   // YYYY-MM-DD
  std::string article;          // pasal, e.g. "287 ayat (1)"
  std::int64_t fine_amount = 0; // whole rupiah
  std::int64_t court_fee = 0;
  std::string evidence;         // SIM | STNK | SIM+STNK | KENDARAAN
  std::string hearing_date;     // YYYY-MM-DD
  std::string office;
  std::string status;           // UNPAID | PAID | PICKED_UP
};

// One drive-thru pickup slot.
struct Slot {
  std::string id;
  std::string date;   // YYYY-MM-DD
  std::string start;  // HH:MM
  std::string end;    // HH:MM
  int remaining = 0;  // free places
};

// One e-TLE camera-ticket notice (CONTRACT §5 fields plus what the engine knows later).
struct EtleNotice {
  std::string notice_id;
  std::string plate;
  std::string owner_name;
  std::string violation_time;    // as shown to the user, e.g. "2025-05-12 08:31 WIB"
  std::string location;
  std::string article;
  std::int64_t fine_amount = 0;
  std::string confirm_by;        // YYYY-MM-DD
  std::string photo_url;         // official link only, never an attachment
  std::string briva;             // BRI virtual account code once issued, else empty
  std::string payment_deadline;  // YYYY-MM-DD (H+15 by default; per region), may be empty
};

}  // namespace tilang::flows
