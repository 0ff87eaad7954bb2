// Pure helpers: plates, register and reference numbers, phones, keywords, money, masks, UTF-8,
// and the state's text encoding.
#include <catch2/catch.hpp>

#include "flows/conversation.hpp"
#include "flows/mask.hpp"
#include "flows/money.hpp"
#include "flows/text_match.hpp"
#include "flows/utf8.hpp"

using namespace tilang::flows;

TEST_CASE("plates compare without spaces, dashes or case") {
  const std::vector<std::pair<std::string, std::string>> same{
      {"B 1234 XYZ", "B1234XYZ"}, {"b1234xyz", "B1234XYZ"}, {"  b 1234   xyz ", "B1234XYZ"},
      {"B-1234-XYZ", "B1234XYZ"}, {"AB 1 C", "AB1C"},        {"d 12", "D12"},
  };
  for (const auto& [typed, canonical] : same) {
    INFO(typed);
    REQUIRE(normalise_plate(typed));
    CHECK(*normalise_plate(typed) == canonical);
  }
  for (const char* bad : {"", "1234", "B", "ABC 1234 X", "B 12345 XY", "B 1234 WXYZ", "B#1234", "halo"}) {
    INFO(bad);
    CHECK_FALSE(normalise_plate(bad));
  }
  CHECK(display_plate("B1234XYZ") == "B 1234 XYZ");
}

TEST_CASE("register numbers are letters then many digits, never a plate") {
  CHECK(normalise_register_no("E1234567") == std::optional<std::string>("E1234567"));
  CHECK(normalise_register_no("e 1234567") == std::optional<std::string>("E1234567"));
  CHECK(normalise_register_no("AB-0012345") == std::optional<std::string>("AB0012345"));
  CHECK_FALSE(normalise_register_no("B 1234 XYZ"));
  CHECK_FALSE(normalise_register_no("E1234"));
  CHECK_FALSE(normalise_register_no("1234567"));
  CHECK_FALSE(normalise_plate("E1234567"));
}

TEST_CASE("reference numbers KDN-/BYR- in any case and spacing") {
  CHECK(normalise_reference("kdn-20250101-0001", "KDN") == std::optional<std::string>("KDN-20250101-0001"));
  CHECK(normalise_reference("KDN 20250101 0042", "KDN") == std::optional<std::string>("KDN-20250101-0042"));
  CHECK(normalise_reference("BYR-20250101-0001", "BYR") == std::optional<std::string>("BYR-20250101-0001"));
  CHECK_FALSE(normalise_reference("BYR-20250101-0001", "KDN"));
  CHECK_FALSE(normalise_reference("KDN-2025010-0001", "KDN"));
  CHECK_FALSE(normalise_reference("KDN-2025O101-0001", "KDN"));
}

TEST_CASE("Indonesian mobile numbers normalise to 628...") {
  CHECK(normalise_phone("0812-3456-7890") == std::optional<std::string>("6281234567890"));
  CHECK(normalise_phone("+62 812 3456 7890") == std::optional<std::string>("6281234567890"));
  CHECK(normalise_phone("6281234567890") == std::optional<std::string>("6281234567890"));
  CHECK_FALSE(normalise_phone("12345"));
  CHECK_FALSE(normalise_phone("0212345678"));  // landline
  CHECK_FALSE(normalise_phone("budi"));
}

TEST_CASE("menu keywords, numbers and commands") {
  CHECK(match_menu_choice("denda") == MenuChoice::denda);
  CHECK(match_menu_choice(" DENDA ") == MenuChoice::denda);
  CHECK(match_menu_choice("2.") == MenuChoice::bayar);
  CHECK(match_menu_choice("ambil") == MenuChoice::ambil);
  CHECK(match_menu_choice("etle") == MenuChoice::etle);
  CHECK(match_menu_choice("lapor") == MenuChoice::lapor);
  CHECK(match_menu_choice("info") == MenuChoice::info);
  CHECK(match_menu_choice("status") == MenuChoice::status);
  CHECK(match_menu_choice("8") == MenuChoice::petugas);
  CHECK(match_menu_choice("9") == MenuChoice::none);
  CHECK(match_menu_choice("denda saya berapa ya") == MenuChoice::none);
  CHECK(match_command("Menu") == Command::menu);
  CHECK(match_command("BATAL") == Command::cancel);
  CHECK(match_command("petugas") == Command::agent);
  CHECK(match_command("EN") == Command::english);
  CHECK(match_command("english") == Command::english);
  CHECK(match_command("ID") == Command::indonesian);
  CHECK(match_command("menu dong tolong") == Command::none);
  CHECK(match_command("Hapus data saya") == Command::erase_request);
  CHECK(match_command("hapus data saya yang salah ketik") == Command::none);
  CHECK(parse_choice_number(" 3 ") == std::optional<int>(3));
  CHECK_FALSE(parse_choice_number("0"));
  CHECK_FALSE(parse_choice_number("tiga"));
  CHECK(parse_yes_no("Ya") == std::optional<bool>(true));
  CHECK(parse_yes_no("tidak") == std::optional<bool>(false));
}

TEST_CASE("greetings, with punctuation and an honorific, but not sentences") {
  for (const char* hello : {"halo", "Halo!", "HALO min", "pagi, pak", "Selamat siang bu..", "P", "assalamualaikum",
                            "tolong", "permisi kak"}) {
    INFO(hello);
    CHECK(is_greeting(hello));
  }
  for (const char* other : {"", "!", "pak", "min", "halo saya mau bayar", "tolong cek denda", "pagi tadi jam 7",
                            "B 1234 XYZ"}) {
    INFO(other);
    CHECK_FALSE(is_greeting(other));
  }
}

TEST_CASE("rupiah formatting") {
  CHECK(format_rupiah(500000) == "Rp500.000");
  CHECK(format_rupiah(1000000) == "Rp1.000.000");
  CHECK(format_rupiah(750) == "Rp750");
  CHECK(format_rupiah(0) == "Rp0");
  CHECK(format_rupiah(1000) == "Rp1.000");
  CHECK(format_rupiah(-250000) == "-Rp250.000");
  CHECK(format_rupiah(std::numeric_limits<std::int64_t>::min()) == "-Rp9.223.372.036.854.775.808");
}

TEST_CASE("names and phones are masked") {
  CHECK(mask_name("Budi Santoso") == "B*** S******");
  CHECK(mask_name("  Siti   Aminah ") == "S*** A*****");
  CHECK(mask_name("Ólafur") == "Ó*****");
  CHECK(mask_name("A") == "A");
  CHECK(mask_phone("6281234567890") == "6281*****7890");
}

TEST_CASE("UTF-8 code points, truncation and word normalisation") {
  CHECK(code_points("Rp500.000") == 9);
  CHECK(code_points("Sélamat 🙏") == 9);
  CHECK(truncate_code_points("abcdef", 4) == "abc\xE2\x80\xA6");
  CHECK(code_points(truncate_code_points("🙏🙏🙏🙏🙏", 3)) == 3);
  CHECK(truncate_code_points("abc", 3) == "abc");
  CHECK(normalise_words("  Cek   DENDA\n") == "cek denda");
}

TEST_CASE("conversation state round-trips through its text encoding") {
  Conversation c;
  c.language = "en";
  c.flow = "lapor";
  c.step = "apa";
  c.slots = {{"what", "tabrakan\nberuntun\t\\ di tol"}, {"_register_no", "E1234567"}, {"empty", ""}};
  c.last_activity = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'750'000'000'123));
  c.resume_offered = true;
  c.welcomed = true;
  auto back = decode(encode(c));
  REQUIRE(back);
  CHECK(back->language == "en");
  CHECK(back->flow == "lapor");
  CHECK(back->step == "apa");
  CHECK(back->slots == c.slots);
  CHECK(back->last_activity == c.last_activity);
  CHECK(back->resume_offered);
  CHECK(back->welcomed);
  CHECK_FALSE(decode("garbage"));
  CHECK_FALSE(decode("v1\nflow\tbad\\q\n"));
  CHECK(decode(encode(Conversation{}))->flow.empty());
}
