// Recognising what a user typed: plates, register numbers, reference numbers, phone numbers,
// menu keywords. Users on cheap phones type in any case and spacing, so everything is normalised.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tilang::flows {

// "B 1234 XYZ", "b1234xyz", "B-1234-XYZ" -> "B1234XYZ" (the canonical, comparable form), or nullopt.
std::optional<std::string> normalise_plate(std::string_view text);

// "B1234XYZ" -> "B 1234 XYZ" for display.
std::string display_plate(std::string_view canonical);

// Nomor register tilang as printed on the slip: 1-2 letters then 5-10 digits ("E1234567", "e 1234567").
std::optional<std::string> normalise_register_no(std::string_view text);

// "kdn-20250101-0001", "KDN 20250101 0001" -> "KDN-20250101-0001"; `prefix` is "KDN" or "BYR".
std::optional<std::string> normalise_reference(std::string_view text, std::string_view prefix);

// Indonesian mobile number: "0812-3456-7890", "+62 812 3456 7890" -> "6281234567890".
std::optional<std::string> normalise_phone(std::string_view text);

enum class MenuChoice { none, denda, bayar, ambil, etle, lapor, info, status, petugas };

// Main-menu keywords of CONTRACT §6 (and a few natural synonyms, both languages) or numbers 1-8.
MenuChoice match_menu_choice(std::string_view text);
const char* to_string(MenuChoice choice);
MenuChoice menu_choice_from_id(std::string_view id);

enum class Command { none, menu, cancel, agent, english, indonesian, erase_request };

// Whole-message global commands: "menu", "batal", "petugas", "EN"/"english", "ID"/"indonesia",
// "hapus data saya" (a request to delete one's personal data).
Command match_command(std::string_view text);

// A greeting or a plea for help on its own ("halo", "selamat pagi", "P", "tolong").
bool is_greeting(std::string_view text);

// The text as a positive number ("2", " 2. ") or nullopt.
std::optional<int> parse_choice_number(std::string_view text);

// "ya", "yes", "ok", "benar" / "tidak", "no" for confirmations.
std::optional<bool> parse_yes_no(std::string_view text);

}  // namespace tilang::flows
