// Renderer: Graph API bodies, Meta's limits and the numbered-text fallbacks, the e-TLE template.
#include <catch2/catch.hpp>

#include "flows/utf8.hpp"
#include "templates/renderer.hpp"

using namespace tilang;
using templates::Catalog;
using nlohmann::json;

namespace {

const Catalog& test_catalog() {
  static const Catalog catalog = [] {
    auto r = templates::load_catalog(std::vector<std::pair<std::string, std::string>>{
        {"id/t.json", R"({"t.hello":"Halo {name}, denda {fine}. Status: {status}","t.body":"Pilih:",
                         "t.b1":"Satu","t.b2":"Dua","t.b3":"Tiga","t.b4":"Empat","t.long_btn":"Judul tombol yang terlalu panjang",
                         "t.status":"Belum dibayar","t.only_id":"Hanya ID","t.label":"Buka daftar pilihan sekarang juga",
                         "t.section":"Bagian","t.row":"Baris {n}","t.desc":"{d}","t.noparam":"Kurung {bukan param} dan {x}",
                         "common.reply_number_hint":"Balas dengan angka."})"},
        {"en/t.json", R"({"t.hello":"Hello {name}, fine {fine}. Status: {status}","t.body":"Choose:","t.b1":"One",
                         "t.status":"Unpaid","common.reply_number_hint":"Reply with a number."})"},
        {"etle_template.json", R"({"name":"etle_konfirmasi","languages":{"id":"id","en":"en_US"},
                         "body_parameters":["plate","violation_time","location","fine_amount","photo_url"],
                         "quick_reply_payloads":["ETLE_DRIVER_SELF","ETLE_DRIVER_OTHER","ETLE_NOT_MINE"]})"},
    });
    REQUIRE(r);
    return *r.catalog;
  }();
  return catalog;
}

flows::SendButtons buttons_of(std::vector<flows::Button> b) { return flows::SendButtons{"t.body", {}, std::move(b)}; }

flows::SendList list_of(std::size_t rows, const std::string& title_prefix = "R") {
  flows::SendList l{"t.body", {}, "t.label", {}};
  flows::ListSection s{"t.section", {}, {}};
  for (std::size_t i = 0; i < rows; ++i) {
    s.rows.push_back(flows::ListRow{"r" + std::to_string(i), {}, title_prefix + std::to_string(i), {}, "desc", {}});
  }
  l.sections.push_back(std::move(s));
  return l;
}

}  // namespace

TEST_CASE("text message envelope and parameters") {
  std::vector<std::string> problems;
  const json j = templates::render(flows::SendText{"t.hello", {{"name", "Budi"}, {"fine", "Rp500.000"}, {"@status", "t.status"}}},
                                   "id", "6281200000001", test_catalog(), problems);
  CHECK(j["messaging_product"] == "whatsapp");
  CHECK(j["recipient_type"] == "individual");
  CHECK(j["to"] == "6281200000001");
  CHECK(j["type"] == "text");
  CHECK(j["text"]["body"] == "Halo Budi, denda Rp500.000. Status: Belum dibayar");
  CHECK(j["text"]["preview_url"] == false);
  CHECK(problems.empty());
  const json en = templates::render(flows::SendText{"t.hello", {{"name", "Budi"}, {"fine", "Rp500.000"}, {"@status", "t.status"}}},
                                    "en", "6281200000001", test_catalog());
  CHECK(en["text"]["body"] == "Hello Budi, fine Rp500.000. Status: Unpaid");
}

TEST_CASE("missing keys and parameters are reported, English falls back to Indonesian") {
  std::vector<std::string> problems;
  json j = templates::render(flows::SendText{"t.only_id", {}}, "en", "1", test_catalog(), problems);
  CHECK(j["text"]["body"] == "Hanya ID");
  CHECK(problems.empty());
  j = templates::render(flows::SendText{"no.such.key", {}}, "id", "1", test_catalog(), problems);
  CHECK(j["text"]["body"] == "[no.such.key]");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("no.such.key") != std::string::npos);
  problems.clear();
  j = templates::render(flows::SendText{"t.noparam", {}}, "id", "1", test_catalog(), problems);
  // "{bukan param}" is not a placeholder name; "{x}" is one and has no value.
  CHECK(j["text"]["body"] == "Kurung {bukan param} dan {x}");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("{x}") != std::string::npos);
  // A user's text that looks like a placeholder is not expanded again.
  problems.clear();
  j = templates::render(flows::SendText{"t.desc", {{"d", "{x}"}}}, "id", "1", test_catalog(), problems);
  CHECK(j["text"]["body"] == "{x}");
  CHECK(problems.empty());
}

TEST_CASE("reply buttons within limits") {
  std::vector<std::string> problems;
  const json j = templates::render(buttons_of({{"a", "t.b1", {}}, {"b", "t.b2", {}}, {"c", {}, "Literal"}}), "id", "1",
                                   test_catalog(), problems);
  CHECK(j["type"] == "interactive");
  CHECK(j["interactive"]["type"] == "button");
  CHECK(j["interactive"]["body"]["text"] == "Pilih:");
  const auto& b = j["interactive"]["action"]["buttons"];
  REQUIRE(b.size() == 3);
  CHECK(b[0]["type"] == "reply");
  CHECK(b[0]["reply"]["id"] == "a");
  CHECK(b[0]["reply"]["title"] == "Satu");
  CHECK(b[2]["reply"]["title"] == "Literal");
  CHECK(problems.empty());
  // 20 code points of two-byte letters still fit (Meta counts characters, not bytes).
  const std::string twenty = "ÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉ";
  REQUIRE(flows::code_points(twenty) == 20);
  CHECK(templates::render(buttons_of({{"a", {}, twenty}}), "id", "1", test_catalog())["type"] == "interactive");
}

TEST_CASE("buttons that would be refused fall back to a numbered text menu") {
  SECTION("four buttons") {
    const json j = templates::render(
        buttons_of({{"a", "t.b1", {}}, {"b", "t.b2", {}}, {"c", "t.b3", {}}, {"d", "t.b4", {}}}), "id", "1", test_catalog());
    REQUIRE(j["type"] == "text");
    const std::string body = j["text"]["body"];
    CHECK(body.find("Pilih:") == 0);
    CHECK(body.find("1. Satu") != std::string::npos);
    CHECK(body.find("4. Empat") != std::string::npos);
    CHECK(body.find("Balas dengan angka.") != std::string::npos);
  }
  SECTION("title over 20 characters") {
    const json j = templates::render(buttons_of({{"a", "t.long_btn", {}}}), "id", "1", test_catalog());
    CHECK(j["type"] == "text");
    CHECK(j["text"]["body"].get<std::string>().find("1. Judul tombol yang terlalu panjang") != std::string::npos);
  }
  SECTION("duplicate titles") {
    CHECK(templates::render(buttons_of({{"a", "t.b1", {}}, {"b", "t.b1", {}}}), "id", "1", test_catalog())["type"] == "text");
  }
  SECTION("body over 1024 characters") {
    flows::SendButtons b{"t.desc", {{"d", std::string(1100, 'x')}}, {{"a", "t.b1", {}}}};
    const json j = templates::render(b, "id", "1", test_catalog());
    CHECK(j["type"] == "text");
  }
  SECTION("no buttons") {
    CHECK(templates::render(buttons_of({}), "id", "1", test_catalog())["type"] == "text");
  }
}

TEST_CASE("lists within limits, descriptions and labels truncated") {
  flows::SendList l = list_of(10);
  l.sections[0].rows[0].description = std::string(100, 'd');
  l.sections[0].rows[1].description_key = "t.desc";
  l.sections[0].rows[1].params = {{"d", "Pasal 287"}};
  l.sections[0].rows[2].title_key = "t.row";
  l.sections[0].rows[2].params = {{"n", "3"}};
  std::vector<std::string> problems;
  const json j = templates::render(l, "id", "1", test_catalog(), problems);
  CHECK(problems.empty());
  REQUIRE(j["type"] == "interactive");
  CHECK(j["interactive"]["type"] == "list");
  const auto& action = j["interactive"]["action"];
  CHECK(flows::code_points(action["button"].get<std::string>()) <= 20);
  REQUIRE(action["sections"].size() == 1);
  CHECK(action["sections"][0]["title"] == "Bagian");
  const auto& rows = action["sections"][0]["rows"];
  REQUIRE(rows.size() == 10);
  CHECK(flows::code_points(rows[0]["description"].get<std::string>()) == 72);
  CHECK(rows[1]["description"] == "Pasal 287");
  CHECK(rows[2]["title"] == "Baris 3");
}

TEST_CASE("lists that would be refused fall back to numbered text") {
  SECTION("eleven rows") {
    const json j = templates::render(list_of(11), "id", "1", test_catalog());
    REQUIRE(j["type"] == "text");
    const std::string body = j["text"]["body"];
    CHECK(body.find("11. R10") != std::string::npos);
    CHECK(body.find("1. R0 \xE2\x80\x94 desc") != std::string::npos);
  }
  SECTION("row title over 24 characters") {
    CHECK(templates::render(list_of(2, std::string(25, 'T')), "id", "1", test_catalog())["type"] == "text");
  }
  SECTION("several untitled sections") {
    flows::SendList l = list_of(2);
    l.sections.push_back(flows::ListSection{{}, {}, {flows::ListRow{"x", {}, "X", {}, {}, {}}}});
    l.sections[0].title_key.clear();
    CHECK(templates::render(l, "id", "1", test_catalog())["type"] == "text");
  }
}

TEST_CASE("long texts are truncated by render and split by render_all") {
  std::string para;
  for (int i = 0; i < 300; ++i) para += "Baris nomor " + std::to_string(i) + " dengan sedikit teks.\n";
  REQUIRE(flows::code_points(para) > 4096);
  const flows::SendText action{"t.desc", {{"d", para}}};
  const json one = templates::render(action, "id", "1", test_catalog());
  CHECK(flows::code_points(one["text"]["body"].get<std::string>()) <= 4096);
  std::vector<std::string> problems;
  const auto parts = templates::render_all(action, "id", "1", test_catalog(), problems);
  REQUIRE(parts.size() >= 2);
  std::size_t total_lines = 0;
  for (const auto& p : parts) {
    const std::string body = p["text"]["body"];
    CHECK(flows::code_points(body) <= 4096);
    CHECK(body.back() == '.');  // split at a line end, not mid-sentence
    total_lines += static_cast<std::size_t>(std::count(body.begin(), body.end(), '\n')) + 1;
  }
  CHECK(total_lines == 300);
  CHECK(templates::split_text("short", 4096) == std::vector<std::string>{"short"});
}

TEST_CASE("read receipts and data actions") {
  const json j = templates::render(flows::MarkRead{"wamid.XYZ"}, "id", "1", test_catalog());
  CHECK(j == json{{"messaging_product", "whatsapp"}, {"status", "read"}, {"message_id", "wamid.XYZ"}});
  CHECK(templates::render(flows::LookupFines{"B1", false}, "id", "1", test_catalog()).is_null());
  std::vector<std::string> problems;
  CHECK(templates::render_all(flows::HandToAgent{"umum"}, "id", "1", test_catalog(), problems).empty());
}

TEST_CASE("e-TLE utility template") {
  flows::EtleNotice n{"N1", "B1234XYZ", "Budi Santoso", "12-05-2025 08:31 WIB", "Jl. Sudirman", "287", 500000, "2025-05-20",
                      "", "", ""};
  std::vector<std::string> problems;
  const json j = templates::render(flows::SendEtleTemplate{n}, "en", "6281200000001", test_catalog(), problems);
  CHECK(j["type"] == "template");
  CHECK(j["template"]["name"] == "etle_konfirmasi");
  CHECK(j["template"]["language"]["code"] == "en_US");
  const auto& comps = j["template"]["components"];
  REQUIRE(comps.size() == 4);
  CHECK(comps[0]["type"] == "body");
  const auto& params = comps[0]["parameters"];
  REQUIRE(params.size() == 5);
  CHECK(params[0] == json{{"type", "text"}, {"text", "B 1234 XYZ"}});
  CHECK(params[1]["text"] == "12-05-2025 08:31 WIB");
  CHECK(params[3]["text"] == "Rp500.000");
  CHECK(params[4]["text"] == "-");  // empty photo_url: Meta refuses empty parameters
  REQUIRE(problems.size() == 1);
  const std::vector<std::string> payloads{"ETLE_DRIVER_SELF", "ETLE_DRIVER_OTHER", "ETLE_NOT_MINE"};
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(comps[i + 1]["type"] == "button");
    CHECK(comps[i + 1]["sub_type"] == "quick_reply");
    CHECK(comps[i + 1]["index"] == std::to_string(i));
    CHECK(comps[i + 1]["parameters"][0] == json{{"type", "payload"}, {"payload", payloads[i]}});
  }
  CHECK(templates::render(flows::SendEtleTemplate{n}, "id", "1", test_catalog())["template"]["language"]["code"] == "id");
}
