#include "flows/text_match.hpp"

#include <array>
#include <utility>

#include "flows/utf8.hpp"

namespace tilang::flows {
namespace {

bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_separator(char c) { return c == ' ' || c == '-' || c == '.' || c == '\t'; }

// Uppercase alphanumerics with separators dropped; nullopt if anything else is present.
std::optional<std::string> compact(std::string_view text) {
  std::string out;
  for (char c : trim(text)) {
    if (is_separator(c)) continue;
    if (!is_alpha(c) && !is_digit(c)) return std::nullopt;
    out += c;
  }
  if (out.empty()) return std::nullopt;
  return to_upper_ascii(out);
}

struct Runs {
  std::size_t letters1 = 0, digits = 0, letters2 = 0;
  bool ok = false;
};

// Splits "AB1234XYZ" into letter/digit/letter runs.
Runs runs_of(const std::string& s) {
  Runs r;
  std::size_t i = 0;
  while (i < s.size() && is_alpha(s[i])) ++i, ++r.letters1;
  while (i < s.size() && is_digit(s[i])) ++i, ++r.digits;
  while (i < s.size() && is_alpha(s[i])) ++i, ++r.letters2;
  r.ok = i == s.size();
  return r;
}

}  // namespace

std::optional<std::string> normalise_plate(std::string_view text) {
  auto c = compact(text);
  if (!c) return std::nullopt;
  const Runs r = runs_of(*c);
  if (!r.ok || r.letters1 < 1 || r.letters1 > 2 || r.digits < 1 || r.digits > 4 || r.letters2 > 3) {
    return std::nullopt;
  }
  return c;
}

std::string display_plate(std::string_view canonical) {
  std::string out;
  char prev = 0;
  for (char c : canonical) {
    if (prev != 0 && is_alpha(prev) != is_alpha(c)) out += ' ';
    out += c;
    prev = c;
  }
  return out;
}

std::optional<std::string> normalise_register_no(std::string_view text) {
  auto c = compact(text);
  if (!c) return std::nullopt;
  const Runs r = runs_of(*c);
  if (!r.ok || r.letters1 < 1 || r.letters1 > 2 || r.digits < 5 || r.digits > 10 || r.letters2 != 0) {
    return std::nullopt;
  }
  return c;
}

std::optional<std::string> normalise_reference(std::string_view text, std::string_view prefix) {
  auto c = compact(text);
  if (!c) return std::nullopt;
  // PREFIX + 8 date digits + 4 sequence digits, separators optional.
  if (c->size() != prefix.size() + 12 || c->compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  for (std::size_t i = prefix.size(); i < c->size(); ++i) {
    if (!is_digit((*c)[i])) return std::nullopt;
  }
  return std::string(prefix) + "-" + c->substr(prefix.size(), 8) + "-" + c->substr(prefix.size() + 8);
}

std::optional<std::string> normalise_phone(std::string_view text) {
  std::string digits;
  bool plus = false;
  for (char c : trim(text)) {
    if (is_digit(c)) digits += c;
    else if (c == '+' && digits.empty() && !plus) plus = true;
    else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') continue;
    else return std::nullopt;
  }
  if (digits.rfind("08", 0) == 0) digits = "62" + digits.substr(1);
  if (digits.rfind("628", 0) != 0) return std::nullopt;
  if (digits.size() < 10 || digits.size() > 15) return std::nullopt;
  return digits;
}

MenuChoice match_menu_choice(std::string_view text) {
  static const std::array<std::pair<std::string_view, MenuChoice>, 34> words{{
      {"1", MenuChoice::denda},       {"denda", MenuChoice::denda},     {"cek denda", MenuChoice::denda},
      {"tilang", MenuChoice::denda},  {"fine", MenuChoice::denda},      {"fines", MenuChoice::denda},
      {"2", MenuChoice::bayar},       {"bayar", MenuChoice::bayar},     {"bukti bayar", MenuChoice::bayar},
      {"pay", MenuChoice::bayar},     {"payment", MenuChoice::bayar},   {"3", MenuChoice::ambil},
      {"ambil", MenuChoice::ambil},   {"pengambilan", MenuChoice::ambil}, {"pickup", MenuChoice::ambil},
      {"4", MenuChoice::etle},        {"etle", MenuChoice::etle},       {"e-tle", MenuChoice::etle},
      {"5", MenuChoice::lapor},       {"lapor", MenuChoice::lapor},     {"laporan", MenuChoice::lapor},
      {"report", MenuChoice::lapor},  {"6", MenuChoice::info},          {"info", MenuChoice::info},
      {"informasi", MenuChoice::info}, {"information", MenuChoice::info}, {"7", MenuChoice::status},
      {"status", MenuChoice::status}, {"8", MenuChoice::petugas},       {"petugas", MenuChoice::petugas},
      {"agent", MenuChoice::petugas}, {"operator", MenuChoice::petugas}, {"admin", MenuChoice::petugas},
      {"cs", MenuChoice::petugas},
  }};
  std::string t = normalise_words(text);
  // "2." or "2)" are common ways to type a choice.
  while (!t.empty() && (t.back() == '.' || t.back() == ')')) t.pop_back();
  for (const auto& [word, choice] : words) {
    if (t == word) return choice;
  }
  return MenuChoice::none;
}

const char* to_string(MenuChoice choice) {
  switch (choice) {
    case MenuChoice::denda: return "denda";
    case MenuChoice::bayar: return "bayar";
    case MenuChoice::ambil: return "ambil";
    case MenuChoice::etle: return "etle";
    case MenuChoice::lapor: return "lapor";
    case MenuChoice::info: return "info";
    case MenuChoice::status: return "status";
    case MenuChoice::petugas: return "petugas";
    case MenuChoice::none: break;
  }
  return "none";
}

MenuChoice menu_choice_from_id(std::string_view id) {
  for (MenuChoice c : {MenuChoice::denda, MenuChoice::bayar, MenuChoice::ambil, MenuChoice::etle,
                       MenuChoice::lapor, MenuChoice::info, MenuChoice::status, MenuChoice::petugas}) {
    if (id == to_string(c)) return c;
  }
  return MenuChoice::none;
}

Command match_command(std::string_view text) {
  const std::string t = normalise_words(text);
  if (t == "menu" || t == "menu utama" || t == "main menu" || t == "home") return Command::menu;
  if (t == "batal" || t == "cancel" || t == "stop" || t == "keluar") return Command::cancel;
  if (t == "petugas" || t == "agent" || t == "operator" || t == "bicara dengan petugas") return Command::agent;
  if (t == "en" || t == "english" || t == "inggris" || t == "bahasa inggris") return Command::english;
  if (t == "id" || t == "indonesia" || t == "bahasa indonesia" || t == "bahasa") return Command::indonesian;
  for (std::string_view erase : {"hapus data", "hapus data saya", "hapus data pribadi", "hapus data pribadi saya",
                                  "hapus semua data saya", "delete my data", "erase my data"}) {
    if (t == erase) return Command::erase_request;
  }
  return Command::none;
}

namespace {

void drop_trailing_punctuation(std::string& words) {
  while (!words.empty() && std::string_view("!?.,~ ").find(words.back()) != std::string_view::npos) words.pop_back();
}

}  // namespace

bool is_greeting(std::string_view text) {
  std::string words = normalise_words(text);
  drop_trailing_punctuation(words);  // "Halo!", "pagi.."
  // "halo min", "pagi, pak": how people address the admin on WhatsApp.
  for (std::string_view honorific : {" pak", " bapak", " bu", " ibu", " min", " admin", " kak", " mas", " mbak", " gan"}) {
    if (words.size() > honorific.size() && words.ends_with(honorific)) {
      words.erase(words.size() - honorific.size());
      drop_trailing_punctuation(words);
      break;
    }
  }
  for (std::string_view g : {"halo", "hallo", "hai", "hi", "hello", "assalamualaikum", "assalamu'alaikum", "permisi",
                             "selamat pagi", "selamat siang", "selamat sore", "selamat malam", "pagi", "siang", "sore",
                             "malam", "p", "start", "mulai", "help", "bantuan", "tolong"}) {
    if (words == g) return true;
  }
  return false;
}

std::optional<int> parse_choice_number(std::string_view text) {
  std::string_view t = trim(text);
  while (!t.empty() && (t.back() == '.' || t.back() == ')')) t.remove_suffix(1);
  if (t.empty() || t.size() > 3) return std::nullopt;
  int n = 0;
  for (char c : t) {
    if (!is_digit(c)) return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n <= 0) return std::nullopt;
  return n;
}

std::optional<bool> parse_yes_no(std::string_view text) {
  const std::string t = normalise_words(text);
  for (std::string_view y : {"ya", "iya", "y", "yes", "ok", "oke", "benar", "betul", "kirim", "setuju"}) {
    if (t == y) return true;
  }
  for (std::string_view n : {"tidak", "tdk", "no", "n", "bukan", "salah", "enggak", "nggak"}) {
    if (t == n) return false;
  }
  return std::nullopt;
}

}  // namespace tilang::flows
