#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "bot/webhook_parser.hpp"

using tilang::bot::parse_notification;
using tilang::bot::ParsedNotification;
using tilang::flows::DeliveryStatus;
using tilang::flows::MessageKind;

namespace {

const std::filesystem::path fixtures_dir =
    std::filesystem::path(TILANGBOT_SHARED_DIR) / "fixtures" / "webhooks";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

constexpr const char* business = "106540352242922";
constexpr const char* sheena = "16505551234";

// The common checks for a fixture holding exactly one message from Sheena Nelson.
const tilang::flows::InboundMessage& one_message(const ParsedNotification& p) {
  REQUIRE(p.ok);
  REQUIRE(p.messages.size() == 1);
  CHECK(p.statuses.empty());
  CHECK(p.errors.empty());
  CHECK(p.unknown_items == 0);
  const auto& m = p.messages.front();
  CHECK(m.business_number == business);
  return m;
}

const tilang::flows::StatusUpdate& one_status(const ParsedNotification& p) {
  REQUIRE(p.ok);
  REQUIRE(p.statuses.size() == 1);
  CHECK(p.messages.empty());
  CHECK(p.errors.empty());
  CHECK(p.unknown_items == 0);
  CHECK(p.statuses.front().business_number == business);
  return p.statuses.front();
}

// Exact expectations for every fixture Meta documents; a new fixture without an entry fails.
const std::map<std::string, std::function<void(const ParsedNotification&)>>& expectations() {
  static const std::map<std::string, std::function<void(const ParsedNotification&)>> table{
      {"metadocs_bsuid_status_delivered_username.json",
       [](const ParsedNotification& p) {
         const auto& s = one_status(p);
         CHECK(s.wamid == "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=");
         CHECK(s.status == DeliveryStatus::delivered);
         CHECK(s.status_name == "delivered");
         CHECK(s.timestamp == 1750030073);
         CHECK(s.recipient == sheena);
         CHECK(s.error_code == 0);
       }},
      {"metadocs_bsuid_text_username_no_phone.json",
       [](const ParsedNotification& p) {
         const auto& m = one_message(p);
         CHECK(m.kind == MessageKind::text);
         CHECK(m.user == "US.13491208655302741918");
         CHECK(m.user_id == "US.13491208655302741918");
         CHECK(m.profile_name == "Sheena Nelson");
         CHECK(m.wamid == "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=");
         CHECK(m.timestamp == 1749416383);
         CHECK(m.text == "Does it come in another color?");
       }},
      {"metadocs_status_delivered_cbp_service.json",
       [](const ParsedNotification& p) {
         const auto& s = one_status(p);
         CHECK(s.wamid == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA");
         CHECK(s.status == DeliveryStatus::delivered);
         CHECK(s.timestamp == 1750263773);
         CHECK(s.recipient == sheena);
       }},
      {"metadocs_status_failed_131049.json",
       [](const ParsedNotification& p) {
         const auto& s = one_status(p);
         CHECK(s.wamid == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0QUQ2MjA4NEYyRkExNjMyREUA");
         CHECK(s.status == DeliveryStatus::failed);
         CHECK(s.timestamp == 1751142888);
         CHECK(s.error_code == 131049);
         CHECK(s.error_title ==
               "This message was not delivered to maintain healthy ecosystem engagement.");
         CHECK(s.error_details == "In order to maintain a healthy ecosystem engagement, the "
                                  "message failed to be delivered.");
       }},
      {"metadocs_status_sent_pmp_marketing.json",
       [](const ParsedNotification& p) {
         const auto& s = one_status(p);
         CHECK(s.wamid == "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=");
         CHECK(s.status == DeliveryStatus::sent);
         CHECK(s.timestamp == 1750030073);
         CHECK(s.recipient == sheena);
       }},
      {"metadocs_value_errors_130429.json",
       [](const ParsedNotification& p) {
         REQUIRE(p.ok);
         CHECK(p.messages.empty());
         CHECK(p.statuses.empty());
         CHECK(p.unknown_items == 0);
         REQUIRE(p.errors.size() == 1);
         CHECK(p.errors[0].business_number == business);
         CHECK(p.errors[0].code == 130429);
         CHECK(p.errors[0].title == "Rate limit hit");
         CHECK(p.errors[0].details == "Message failed to send because there were too many "
                                      "messages sent from this phone number in a short period "
                                      "of time");
       }},
      {"metaopenapi_button_template_quick_reply.json",
       [](const ParsedNotification& p) {
         const auto& m = one_message(p);
         CHECK(m.kind == MessageKind::button);
         CHECK(m.user == sheena);
         CHECK(m.profile_name == "Sheena Nelson");
         CHECK(m.wamid == "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUU0M0MxQzQzMUJCMTMwNUZFOQA=");
         CHECK(m.reply_id == "Unsubscribe");
         CHECK(m.text == "Unsubscribe");
         CHECK(m.context_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJFNjk2OTMwNEZCQjhGMzUyQUYA");
         CHECK(m.timestamp == 1750091045);
       }},
      {"metaopenapi_contacts.json",
       [](const ParsedNotification& p) {
         const auto& m = one_message(p);
         CHECK(m.kind == MessageKind::contacts);
         CHECK(m.user == sheena);
         REQUIRE(m.contacts.size() == 1);
         CHECK(m.contacts[0].name == "Lucía Gómez");
         CHECK(m.contacts[0].phone == "+1 (983) 555-2319");
         CHECK(m.contacts[0].wa_id == "19835552319");
         CHECK(m.text == "Lucía Gómez");
       }},
      {"metaopenapi_image.json",
       [](const ParsedNotification& p) {
         const auto& m = one_message(p);
         CHECK(m.kind == MessageKind::image);
         CHECK(m.user == sheena);
         REQUIRE(m.media.has_value());
         CHECK(m.media->id == "1003383421387256");
         CHECK(m.media->mime_type == "image/jpeg");
         CHECK(m.media->sha256 == "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=");
         CHECK(m.media->caption == "Taj Mahal");
         CHECK(m.text == "Taj Mahal");
         CHECK_FALSE(m.media->voice);
       }},
      {"metaopenapi_interactive_button_reply.json",
       [](const ParsedNotification& p) {
         const auto& m = one_message(p);
         CHECK(m.kind == MessageKind::button_reply);
         CHECK(m.type_name == "interactive");
         CHECK(m.wamid == "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTZBQzg0MzQ4QjRCM0NGNkVGOAA=");
         CHECK(m.reply_id == "cancel-button");
         CHECK(m.text == "Cancel");
         CHECK(m.context_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA");
       }},
      {"metaopenapi_interactive_list_reply.json",
       [](const ParsedNotification& p) {
         const auto& m = one_message(p);
         CHECK(m.kind == MessageKind::list_reply);
         CHECK(m.reply_id == "priority_express");
         CHECK(m.text == "Priority Mail Express");
         CHECK(m.timestamp == 1749854575);
       }},
      {"metaopenapi_location.json",
       [](const ParsedNotification& p) {
         const auto& m = one_message(p);
         CHECK(m.kind == MessageKind::location);
         REQUIRE(m.location.has_value());
         CHECK(m.location->latitude == Approx(37.44221496582));
         CHECK(m.location->longitude == Approx(-122.16165924072));
         CHECK(m.location->name == "Philz Coffee");
         CHECK(m.location->address == "101 Forest Ave, Palo Alto, CA 94301");
       }},
      {"metaopenapi_reaction.json",
       [](const ParsedNotification& p) {
         const auto& m = one_message(p);
         CHECK(m.kind == MessageKind::reaction);
         CHECK(m.text == "\xF0\x9F\x91\x8D");  // U+1F44D thumbs up, UTF-8
         CHECK(m.reply_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA");
       }},
      {"metaopenapi_system_user_changed_number.json",
       [](const ParsedNotification& p) {
         const auto& m = one_message(p);
         CHECK(m.kind == MessageKind::system);
         CHECK(m.user == sheena);
         CHECK(m.profile_name.empty());  // no contacts[] on system messages
         CHECK(m.text == "User Sheena Nelson changed from 16505551234 to 12195555358");
         CHECK(m.reply_id == "12195555358");
         CHECK(m.wamid == "wamid.HBgLMTk4MzU1NTE5NzQVAgASGAoxMTgyMDg2MjY3AA==");
       }},
      {"metaopenapi_text.json",
       [](const ParsedNotification& p) {
         const auto& m = one_message(p);
         CHECK(m.kind == MessageKind::text);
         CHECK(m.user == sheena);
         CHECK(m.user_id.empty());
         CHECK(m.profile_name == "Sheena Nelson");
         CHECK(m.text == "Does it come in another color?");
         CHECK(m.timestamp == 1749416383);
         CHECK(m.context_id.empty());
       }},
      {"metaopenapi_text_ctwa_referral.json",
       [](const ParsedNotification& p) {
         const auto& m = one_message(p);
         CHECK(m.kind == MessageKind::text);
         CHECK(m.text == "Hello! Can I get more info on this?");
         CHECK(m.wamid == "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUQ0N0VFMDA2MTQ0RkJFNkNDNAA=");
       }},
      {"metaopenapi_unsupported.json",
       [](const ParsedNotification& p) {
         const auto& m = one_message(p);
         CHECK(m.kind == MessageKind::unsupported);
         CHECK(m.error_code == 131051);
         CHECK(m.user == sheena);
       }},
  };
  return table;
}

// A minimal envelope around one `value`, for the hand-made cases.
std::string envelope(const std::string& value) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":)" +
         value + "}]}]}";
}

std::string with_message(const std::string& message) {
  return envelope(
      R"({"messaging_product":"whatsapp","metadata":{"phone_number_id":"106540352242922"},)"
      R"("contacts":[{"profile":{"name":"Budi"},"wa_id":"6281234567890"}],"messages":[)" +
      message + "]}");
}

}  // namespace

TEST_CASE("every shared webhook fixture parses to its exact events", "[parser]") {
  int seen = 0;
  for (const auto& file : std::filesystem::directory_iterator(fixtures_dir)) {
    if (file.path().extension() != ".json") continue;
    const std::string name = file.path().filename().string();
    INFO("fixture " << name);
    const auto it = expectations().find(name);
    REQUIRE(it != expectations().end());
    it->second(parse_notification(read_file(file.path())));
    ++seen;
  }
  CHECK(seen == static_cast<int>(expectations().size()));
}

TEST_CASE("a batch of 2 entries x 2 changes yields every item in order", "[parser]") {
  const std::string body = R"({"object":"whatsapp_business_account","entry":[
    {"id":"w1","changes":[
      {"field":"messages","value":{"metadata":{"phone_number_id":"111"},
        "contacts":[{"profile":{"name":"A"},"wa_id":"6281"},{"profile":{"name":"B"},"wa_id":"6282"}],
        "messages":[
          {"from":"6281","id":"wamid.a1","timestamp":"10","type":"text","text":{"body":"denda"}},
          {"from":"6282","id":"wamid.b1","timestamp":11,"type":"text","text":{"body":"bayar"}}]}},
      {"field":"messages","value":{"metadata":{"phone_number_id":"111"},
        "statuses":[{"id":"wamid.out1","status":"read","timestamp":"12","recipient_id":"6281"}]}}]},
    {"id":"w2","changes":[
      {"field":"message_template_status_update","value":{"event":"APPROVED"}},
      {"field":"messages","value":{"metadata":{"phone_number_id":"222"},
        "messages":[{"from":"6283","id":"wamid.c1","timestamp":"13","type":"request_welcome"}],
        "statuses":[{"id":"wamid.out2","status":"played","timestamp":"14","recipient_id":"6283"}],
        "errors":[{"code":131000,"title":"Something went wrong","error_data":{"details":"x"}}]}}]}
  ]})";
  const auto p = parse_notification(body);
  REQUIRE(p.ok);
  REQUIRE(p.messages.size() == 3);
  CHECK(p.messages[0].wamid == "wamid.a1");
  CHECK(p.messages[0].profile_name == "A");
  CHECK(p.messages[0].text == "denda");
  CHECK(p.messages[0].business_number == "111");
  CHECK(p.messages[1].wamid == "wamid.b1");
  CHECK(p.messages[1].profile_name == "B");
  CHECK(p.messages[1].timestamp == 11);  // a number, not a string
  CHECK(p.messages[2].kind == MessageKind::request_welcome);
  CHECK(p.messages[2].business_number == "222");
  CHECK(p.messages[2].profile_name.empty());
  REQUIRE(p.statuses.size() == 2);
  CHECK(p.statuses[0].status == DeliveryStatus::read);
  CHECK(p.statuses[1].status == DeliveryStatus::played);
  CHECK(p.statuses[1].business_number == "222");
  REQUIRE(p.errors.size() == 1);
  CHECK(p.errors[0].code == 131000);
  CHECK(p.errors[0].business_number == "222");
  CHECK(p.unknown_items == 1);  // the template status change
}

TEST_CASE("bodies that are not notifications are refused, not thrown", "[parser]") {
  for (const std::string body : {"", "not json", "{\"object\":", "[1,2,3]", "\"text\"", "42",
                                 R"({"object":"page","entry":[]})", R"({"entry":[]})",
                                 R"({"object":7})"}) {
    INFO("body: " << body);
    const auto p = parse_notification(body);
    CHECK_FALSE(p.ok);
    CHECK_FALSE(p.error.empty());
    CHECK(p.messages.empty());
  }
  const auto empty = parse_notification(R"({"object":"whatsapp_business_account"})");
  CHECK(empty.ok);
  CHECK(empty.unknown_items == 0);
}

TEST_CASE("big ids stay exact strings; numeric ids become digits", "[parser]") {
  const auto p = parse_notification(envelope(
      R"({"metadata":{"phone_number_id":"1234567890987654321"},"messages":[)"
      R"({"from":"1234567890987654321","id":"wamid.X","timestamp":"1","type":"image",)"
      R"("image":{"id":"9007199254740993","mime_type":"image/png"}},)"
      R"({"from":9007199254740993,"id":"wamid.Y","timestamp":"1","type":"text","text":{"body":"x"}}]})"));
  REQUIRE(p.messages.size() == 2);
  CHECK(p.messages[0].business_number == "1234567890987654321");
  CHECK(p.messages[0].user == "1234567890987654321");
  CHECK(p.messages[0].media->id == "9007199254740993");  // 2^53 + 1, not representable as double
  CHECK(p.messages[1].user == "9007199254740993");
}

TEST_CASE("each message type maps to its kind and fields", "[parser]") {
  SECTION("document with filename, voice note, sticker, video") {
    const auto p = parse_notification(with_message(
        R"({"from":"6281234567890","id":"wamid.d","timestamp":"1","type":"document",)"
        R"("document":{"id":"m1","mime_type":"application/pdf","filename":"bukti.pdf","caption":"bukti bayar"}},)"
        R"({"from":"6281234567890","id":"wamid.v","timestamp":"1","type":"audio",)"
        R"("audio":{"id":"m2","mime_type":"audio/ogg; codecs=opus","voice":true}},)"
        R"({"from":"6281234567890","id":"wamid.s","timestamp":"1","type":"sticker","sticker":{"id":"m3","animated":false}},)"
        R"({"from":"6281234567890","id":"wamid.vi","timestamp":"1","type":"video","video":{"id":"m4"}})"));
    REQUIRE(p.messages.size() == 4);
    CHECK(p.messages[0].kind == MessageKind::document);
    CHECK(p.messages[0].media->filename == "bukti.pdf");
    CHECK(p.messages[0].text == "bukti bayar");
    CHECK(p.messages[0].profile_name == "Budi");
    CHECK(p.messages[1].kind == MessageKind::audio);
    CHECK(p.messages[1].media->voice);
    CHECK(p.messages[2].kind == MessageKind::sticker);
    CHECK(p.messages[2].media->id == "m3");
    CHECK(p.messages[3].kind == MessageKind::video);
    CHECK(p.unknown_items == 0);
  }
  SECTION("nfm_reply keeps the flow's JSON string") {
    const auto p = parse_notification(with_message(
        R"({"from":"6281234567890","id":"wamid.n","timestamp":"1","type":"interactive",)"
        R"("interactive":{"type":"nfm_reply","nfm_reply":{"response_json":"{\"flow_token\":\"t\"}","body":"Sent","name":"flow"}}})"));
    REQUIRE(p.messages.size() == 1);
    CHECK(p.messages[0].kind == MessageKind::nfm_reply);
    CHECK(p.messages[0].text == R"({"flow_token":"t"})");
    CHECK(p.messages[0].reply_id == "flow");
  }
  SECTION("reaction removal, order, revoke, edit, unknown types") {
    const auto p = parse_notification(with_message(
        R"({"from":"6281234567890","id":"wamid.r1","timestamp":"1","type":"reaction","reaction":{"message_id":"wamid.o","emoji":""}},)"
        R"({"from":"6281234567890","id":"wamid.r2","timestamp":"1","type":"reaction","reaction":{"message_id":"wamid.o"}},)"
        R"({"from":"6281234567890","id":"wamid.or","timestamp":"1","type":"order","order":{"catalog_id":"194836987003835","text":"hi","product_items":[]}},)"
        R"({"from":"6281234567890","id":"wamid.rv","timestamp":"1","type":"revoke","revoke":{"original_message_id":"wamid.old"}},)"
        R"({"from":"6281234567890","id":"wamid.ed","timestamp":"1","type":"edit","edit":{"original_message_id":"wamid.old","message":{"type":"text","text":{"body":"B 1234 XYZ"}}}},)"
        R"({"from":"6281234567890","id":"wamid.u","timestamp":"1","type":"poll","poll":{"q":1}},)"
        R"({"from":"6281234567890","id":"wamid.i","timestamp":"1","type":"interactive"},)"
        R"({"from":"6281234567890","id":"wamid.un","timestamp":"1","type":"unsupported","unsupported":{"type":"view_once"},"errors":[{"code":131051}]})"));
    REQUIRE(p.messages.size() == 8);
    CHECK(p.messages[0].kind == MessageKind::reaction);
    CHECK(p.messages[0].text.empty());
    CHECK(p.messages[0].reply_id == "wamid.o");
    CHECK(p.messages[1].kind == MessageKind::reaction);
    CHECK(p.messages[1].text.empty());
    CHECK(p.messages[2].kind == MessageKind::order);
    CHECK(p.messages[2].reply_id == "194836987003835");
    CHECK(p.messages[3].kind == MessageKind::revoke);
    CHECK(p.messages[3].reply_id == "wamid.old");
    CHECK(p.messages[4].kind == MessageKind::edit);
    CHECK(p.messages[4].reply_id == "wamid.old");
    CHECK(p.messages[4].text == "B 1234 XYZ");
    CHECK(p.messages[5].kind == MessageKind::unknown);
    CHECK(p.messages[5].type_name == "poll");
    CHECK(p.messages[6].kind == MessageKind::unknown);
    CHECK(p.messages[6].type_name == "interactive");
    CHECK(p.messages[7].kind == MessageKind::unsupported);
    CHECK(p.messages[7].text == "view_once");
    CHECK(p.messages[7].error_code == 131051);
    CHECK(p.unknown_items == 0);
  }
}

TEST_CASE("users without a phone number are keyed by their business-scoped id", "[parser]") {
  const auto p = parse_notification(envelope(
      R"({"metadata":{"phone_number_id":"111"},"contacts":[)"
      R"({"profile":{"name":"Other"},"wa_id":"6289"},)"
      R"({"profile":{"name":"Sari"},"user_id":"ID.777"}],"messages":[)"
      R"({"from_user_id":"ID.777","id":"wamid.b","timestamp":"1","type":"text","text":{"body":"halo"}},)"
      R"({"from":"6289","id":"wamid.c","timestamp":"1","type":"text","text":{"body":"halo"}}],)"
      R"("statuses":[{"id":"wamid.s","status":"delivered","recipient_user_id":"ID.777","biz_opaque_callback_data":"outbox:42"}]})"));
  REQUIRE(p.messages.size() == 2);
  CHECK(p.messages[0].user == "ID.777");
  CHECK(p.messages[0].user_id == "ID.777");
  CHECK(p.messages[0].profile_name == "Sari");
  CHECK(p.messages[1].user == "6289");
  CHECK(p.messages[1].profile_name == "Other");
  REQUIRE(p.statuses.size() == 1);
  CHECK(p.statuses[0].recipient == "ID.777");
  CHECK(p.statuses[0].biz_opaque_callback_data == "outbox:42");
}

TEST_CASE("unknown status strings are kept", "[parser]") {
  const auto p = parse_notification(
      envelope(R"({"statuses":[{"id":"wamid.s","status":"deleted","timestamp":"5","recipient_id":"1"}]})"));
  REQUIRE(p.statuses.size() == 1);
  CHECK(p.statuses[0].status == DeliveryStatus::unknown);
  CHECK(p.statuses[0].status_name == "deleted");
  CHECK(p.statuses[0].business_number.empty());  // no metadata: still parsed
}

TEST_CASE("missing fields skip only the items that cannot be answered", "[parser]") {
  const auto p = parse_notification(with_message(
      R"({"id":"wamid.nofrom","timestamp":"1","type":"text","text":{"body":"x"}},)"
      R"({"from":"6281234567890","timestamp":"1","type":"text","text":{"body":"x"}},)"
      R"({"from":"6281234567890","id":"wamid.notext","type":"text"},)"
      R"({"from":"6281234567890","id":"wamid.notype"})"));
  REQUIRE(p.ok);
  REQUIRE(p.messages.size() == 2);
  CHECK(p.messages[0].wamid == "wamid.notext");
  CHECK(p.messages[0].kind == MessageKind::text);
  CHECK(p.messages[0].text.empty());
  CHECK(p.messages[0].timestamp == 0);
  CHECK(p.messages[1].kind == MessageKind::unknown);
  CHECK(p.unknown_items == 2);

  const auto no_changes = parse_notification(
      R"({"object":"whatsapp_business_account","entry":[{"id":"1"},{"id":"2","changes":[{"field":"messages"}]}]})");
  CHECK(no_changes.ok);
  CHECK(no_changes.unknown_items == 1);  // a messages change without value
}

TEST_CASE("wrong JSON types skip the item and are counted, never thrown", "[parser]") {
  SECTION("inside messages") {
    const auto p = parse_notification(with_message(
        R"(5,)"
        R"({"from":"6281234567890","id":"wamid.1","timestamp":"1","type":"text","text":"plain"},)"
        R"({"from":"6281234567890","id":{"x":1},"timestamp":"1","type":"text","text":{"body":"x"}},)"
        R"({"from":"6281234567890","id":"wamid.3","timestamp":"soon","type":"text","text":{"body":"x"}},)"
        R"({"from":"6281234567890","id":"wamid.4","timestamp":"1","type":"location","location":{"latitude":"north"}},)"
        R"({"from":"6281234567890","id":"wamid.5","timestamp":"1","type":"text","context":[1],"text":{"body":"x"}},)"
        R"({"from":"6281234567890","id":"wamid.6","timestamp":"1","type":"unsupported","errors":[7]},)"
        R"({"from":"6281234567890","id":"wamid.7","timestamp":"1","type":"text","text":{"body":true}},)"
        R"({"from":"6281234567890","id":"wamid.8","timestamp":18446744073709551615,"type":"request_welcome"},)"
        R"({"from":"6281234567890","id":"wamid.ok","timestamp":"1","type":"text","text":{"body":"ok"}})"));
    REQUIRE(p.ok);
    REQUIRE(p.messages.size() == 1);
    CHECK(p.messages[0].wamid == "wamid.ok");
    CHECK(p.unknown_items == 9);
  }
  SECTION("at every level of the envelope") {
    for (const std::string body :
         {R"({"object":"whatsapp_business_account","entry":{"id":"1"}})",
          R"({"object":"whatsapp_business_account","entry":[5]})",
          R"({"object":"whatsapp_business_account","entry":[{"changes":"x"}]})",
          R"({"object":"whatsapp_business_account","entry":[{"changes":[3]}]})",
          R"({"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":[]}]}]})",
          R"({"object":"whatsapp_business_account","entry":[{"changes":[{"field":7,"value":{}}]}]})",
          R"({"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":1}}]}]})",
          R"({"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":{}}}]}]})"}) {
      INFO("body: " << body);
      const auto p = parse_notification(body);
      CHECK(p.ok);
      CHECK(p.messages.empty());
      CHECK(p.unknown_items == 1);
    }
  }
  SECTION("in statuses, errors and contacts") {
    const auto p = parse_notification(envelope(
        R"({"contacts":[1,{"wa_id":"6281","profile":"x"}],"statuses":["sent",{"id":"wamid.s","status":"sent","errors":{"code":1}},)"
        R"({"id":"wamid.t","status":"read","errors":[{"code":"470"}]}],)"
        R"("errors":[null,{"code":"abc"},{"code":130429,"error_data":"x"},{"code":131056}]})"));
    CHECK(p.ok);
    REQUIRE(p.statuses.size() == 1);
    CHECK(p.statuses[0].wamid == "wamid.t");
    CHECK(p.statuses[0].error_code == 470);  // numeric string accepted
    REQUIRE(p.errors.size() == 1);
    CHECK(p.errors[0].code == 131056);
    CHECK(p.unknown_items == 2 + 2 + 3);
  }
}
