#include <catch2/catch.hpp>

#include <string>

#include "bot/event_codec.hpp"
#include "bot/webhook_parser.hpp"

using tilang::bot::decode_message;
using tilang::bot::encode_message;
using tilang::bot::parse_notification;
using tilang::bot::to_parsed_inbox;
using tilang::flows::InboundMessage;
using tilang::flows::MessageKind;

namespace {

void check_same(const InboundMessage& a, const InboundMessage& b) {
  CHECK(a.business_number == b.business_number);
  CHECK(a.wamid == b.wamid);
  CHECK(a.user == b.user);
  CHECK(a.user_id == b.user_id);
  CHECK(a.profile_name == b.profile_name);
  CHECK(a.timestamp == b.timestamp);
  CHECK(a.kind == b.kind);
  CHECK(a.type_name == b.type_name);
  CHECK(a.text == b.text);
  CHECK(a.reply_id == b.reply_id);
  CHECK(a.context_id == b.context_id);
  CHECK(a.error_code == b.error_code);
  REQUIRE(a.media.has_value() == b.media.has_value());
  if (a.media) {
    CHECK(a.media->id == b.media->id);
    CHECK(a.media->mime_type == b.media->mime_type);
    CHECK(a.media->sha256 == b.media->sha256);
    CHECK(a.media->filename == b.media->filename);
    CHECK(a.media->caption == b.media->caption);
    CHECK(a.media->voice == b.media->voice);
  }
  REQUIRE(a.location.has_value() == b.location.has_value());
  if (a.location) {
    CHECK(a.location->latitude == b.location->latitude);  // exact: doubles round-trip
    CHECK(a.location->longitude == b.location->longitude);
    CHECK(a.location->name == b.location->name);
    CHECK(a.location->address == b.location->address);
  }
  REQUIRE(a.contacts.size() == b.contacts.size());
  for (std::size_t i = 0; i < a.contacts.size(); ++i) {
    CHECK(a.contacts[i].name == b.contacts[i].name);
    CHECK(a.contacts[i].phone == b.contacts[i].phone);
    CHECK(a.contacts[i].wa_id == b.contacts[i].wa_id);
  }
}

}  // namespace

TEST_CASE("encode/decode round-trips every field", "[codec]") {
  InboundMessage m;
  m.business_number = "1234567890987654321";
  m.wamid = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=";
  m.user = "US.13491208655302741918";
  m.user_id = "US.13491208655302741918";
  m.profile_name = "Siti \"Nur\" Aisyah \xF0\x9F\x9A\x97";
  m.timestamp = 1749416383;
  m.kind = MessageKind::image;
  m.type_name = "image";
  m.text = "bukti\ntransfer";
  m.reply_id = "r";
  m.context_id = "wamid.ctx";
  m.error_code = 131052;
  m.media = tilang::flows::Media{"9007199254740993", "image/jpeg", "abc=", "f.jpg", "bukti", true};
  m.location = tilang::flows::Location{-6.175392, 106.827153, "Monas", "Jakarta Pusat"};
  m.contacts = {{"Lucía Gómez", "+62 812-3456-7890", "6281234567890"}, {"B", "", ""}};

  const std::string json = encode_message(m);
  const auto back = decode_message(json);
  REQUIRE(back.has_value());
  check_same(m, *back);
  CHECK(encode_message(*back) == json);

  SECTION("a message without optional parts round-trips without them") {
    InboundMessage plain;
    plain.wamid = "wamid.x";
    plain.kind = MessageKind::request_welcome;
    const auto b = decode_message(encode_message(plain));
    REQUIRE(b.has_value());
    check_same(plain, *b);
    CHECK_FALSE(b->media.has_value());
    CHECK_FALSE(b->location.has_value());
  }
}

TEST_CASE("every kind survives the codec", "[codec]") {
  for (int k = 0; k <= static_cast<int>(MessageKind::unknown); ++k) {
    InboundMessage m;
    m.wamid = "wamid.k";
    m.kind = static_cast<MessageKind>(k);
    const auto back = decode_message(encode_message(m));
    REQUIRE(back.has_value());
    CHECK(back->kind == m.kind);
    CHECK(tilang::flows::message_kind_from_string(tilang::flows::to_string(m.kind)) == m.kind);
  }
}

TEST_CASE("decode refuses what is not a stored message", "[codec]") {
  CHECK_FALSE(decode_message("").has_value());
  CHECK_FALSE(decode_message("not json").has_value());
  CHECK_FALSE(decode_message("[1]").has_value());
  CHECK_FALSE(decode_message(R"({"wamid":5})").has_value());
  CHECK_FALSE(decode_message(R"({"wamid":"w","media":"x"})").has_value());
  CHECK_FALSE(decode_message(R"({"wamid":"w","location":{"latitude":"x"}})").has_value());
  CHECK_FALSE(decode_message(R"({"wamid":"w","contacts":[1]})").has_value());
  // Older or partial payloads read with defaults; an unknown kind reads as unknown.
  const auto partial = decode_message(R"({"wamid":"w","kind":"hologram"})");
  REQUIRE(partial.has_value());
  CHECK(partial->wamid == "w");
  CHECK(partial->kind == MessageKind::unknown);
  CHECK(partial->timestamp == 0);
}

TEST_CASE("to_parsed_inbox fills the storage rows", "[codec]") {
  const std::string body = R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[
    {"field":"messages","value":{"metadata":{"phone_number_id":"111"},
      "contacts":[{"profile":{"name":"Budi"},"wa_id":"6281"}],
      "messages":[{"from":"6281","id":"wamid.m","timestamp":"100","type":"interactive",
        "interactive":{"type":"list_reply","list_reply":{"id":"menu_denda","title":"Cek denda"}}}],
      "statuses":[{"id":"wamid.s1","status":"failed","timestamp":"101","recipient_id":"6281",
          "biz_opaque_callback_data":"ob:7","errors":[{"code":131047,"title":"Re-engagement message",
          "error_data":{"details":"more than 24 hours"}}]},
        {"id":"wamid.s2","status":"deleted","timestamp":"102","recipient_id":"6281"}],
      "errors":[{"code":130429,"title":"Rate limit hit","error_data":{"details":"slow down"}}]}},
    {"field":"account_update","value":{}}]}]})";
  const auto rows = to_parsed_inbox(77, parse_notification(body));
  CHECK(rows.inbox_id == 77);
  CHECK_FALSE(rows.parse_failed);
  CHECK(rows.unknown_items == 1);
  REQUIRE(rows.messages.size() == 1);
  CHECK(rows.messages[0].wamid == "wamid.m");
  CHECK(rows.messages[0].business_number == "111");
  CHECK(rows.messages[0].user == "6281");
  CHECK(rows.messages[0].timestamp == 100);
  CHECK(rows.messages[0].type == "list_reply");
  const auto decoded = decode_message(rows.messages[0].payload_json);
  REQUIRE(decoded.has_value());
  CHECK(decoded->reply_id == "menu_denda");
  CHECK(decoded->profile_name == "Budi");
  REQUIRE(rows.statuses.size() == 2);
  CHECK(rows.statuses[0].status == "failed");
  CHECK(rows.statuses[0].error_code == 131047);
  CHECK(rows.statuses[0].error_title == "Re-engagement message");
  CHECK(rows.statuses[0].error_details == "more than 24 hours");
  CHECK(rows.statuses[0].biz_opaque_callback_data == "ob:7");
  CHECK(rows.statuses[0].recipient == "6281");
  CHECK(rows.statuses[0].business_number == "111");
  CHECK(rows.statuses[1].status == "deleted");  // unknown strings stored as sent
  REQUIRE(rows.errors.size() == 1);
  CHECK(rows.errors[0].code == 130429);
  CHECK(rows.errors[0].details == "slow down");

  const auto failed = to_parsed_inbox(78, parse_notification("{oops"));
  CHECK(failed.parse_failed);
  CHECK_FALSE(failed.parse_error.empty());
  CHECK(failed.messages.empty());
}
