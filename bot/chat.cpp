#include "bot/chat.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/net.hpp"
#include "bot/signature.hpp"

namespace tilang::bot {
namespace {

using json = nlohmann::json;

struct Reply {
  int status = 0;
  std::string body;
};

Reply http_call(const ChatOptions& options, http::verb method, const std::string& target, const std::string& body,
                const std::vector<std::pair<std::string, std::string>>& headers) {
  net::io_context io;
  beast::tcp_stream stream(io);
  tcp::resolver resolver(io);
  stream.expires_after(std::chrono::seconds(10));
  stream.connect(resolver.resolve(options.host, options.port));
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, options.host);
  request.set(http::field::user_agent, "tilangbot-chat");
  for (const auto& [k, v] : headers) request.set(k, v);
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return {static_cast<int>(response.result_int()), response.body()};
}

class Chat {
 public:
  Chat(const ChatOptions& options, std::ostream& out) : options_(options), out_(out), signer_(options.app_secret) {}

  void send_message(json message) {
    message["from"] = options_.wa_id;
    message["id"] = "wamid.CHAT" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    message["timestamp"] = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
    json value = {{"messaging_product", "whatsapp"},
                  {"metadata", {{"display_phone_number", "6221000000"}, {"phone_number_id", options_.phone_number_id}}},
                  {"contacts", json::array({{{"profile", {{"name", options_.profile_name}}}, {"wa_id", options_.wa_id}}})},
                  {"messages", json::array({message})}};
    json notification = {{"object", "whatsapp_business_account"},
                         {"entry", json::array({{{"id", "0"}, {"changes", json::array({{{"value", value}, {"field", "messages"}}})}}})}};
    std::string body = notification.dump();
    auto reply = http_call(options_, http::verb::post, "/webhook", body,
                           {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", signer_.sign(body)}});
    if (reply.status != 200) out_ << "! the service answered " << reply.status << ": " << reply.body;
  }

  std::string upload(const std::string& path, const std::string& mime) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
      out_ << "! cannot read " << path << "\n";
      return "";
    }
    std::stringstream bytes;
    bytes << file.rdbuf();
    auto reply = http_call(options_, http::verb::post, "/sandbox/media", bytes.str(), {{"Content-Type", mime}});
    if (reply.status != 200) {
      out_ << "! upload refused (" << reply.status << "); is the service running with --demo?\n";
      return "";
    }
    return json::parse(reply.body).value("id", "");
  }

  // Prints replies until none has arrived for a while.
  void print_replies() {
    auto quiet_since = std::chrono::steady_clock::now();
    auto deadline = quiet_since + std::chrono::seconds(8);
    bool any = false;
    while (std::chrono::steady_clock::now() < deadline) {
      auto reply = http_call(options_, http::verb::get,
                             "/sandbox/messages?to=" + options_.wa_id + "&after=" + std::to_string(last_seq_), "", {});
      if (reply.status != 200) {
        out_ << "! cannot read replies (" << reply.status << "); is the service running with --demo?\n";
        return;
      }
      auto items = json::parse(reply.body, nullptr, false).value("items", json::array());
      for (const auto& item : items) {
        last_seq_ = std::max(last_seq_, item.value("seq", std::int64_t{0}));
        print(item["body"]);
        any = true;
        quiet_since = std::chrono::steady_clock::now();
      }
      auto quiet = std::chrono::steady_clock::now() - quiet_since;
      if (any && quiet > std::chrono::milliseconds(800)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
    if (!any) out_ << "(no reply yet)\n";
  }

  // Typing a number right after buttons or a list taps that option.
  bool tap(const std::string& line) {
    const bool digits = std::all_of(line.begin(), line.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (choices_.empty() || line.empty() || line.size() > 2 || !digits) return false;
    std::size_t index = static_cast<std::size_t>(std::stoi(line));
    if (index == 0 || index > choices_.size()) return false;
    const auto& [kind, id, title] = choices_[index - 1];
    json interactive = {{"type", kind}, {kind, {{"id", id}, {"title", title}}}};
    send_message({{"type", "interactive"}, {"interactive", interactive}});
    return true;
  }

 private:
  void print(const json& body) {
    std::string type = body.value("type", "text");
    out_ << "\nbot> ";
    if (type == "text") {
      out_ << body["text"].value("body", "") << "\n";
      return;
    }
    if (type == "template") {
      out_ << "[template " << body["template"].value("name", "") << "]\n";
      choices_.clear();
      return;
    }
    if (type != "interactive") {
      out_ << "[" << type << "]\n";
      return;
    }
    const auto& interactive = body["interactive"];
    if (interactive.contains("header")) out_ << "*" << interactive["header"].value("text", "") << "*\n     ";
    out_ << interactive["body"].value("text", "") << "\n";
    choices_.clear();
    const auto& action = interactive["action"];
    if (interactive.value("type", "") == "button") {
      for (const auto& b : action.value("buttons", json::array())) {
        choices_.emplace_back("button_reply", b["reply"].value("id", ""), b["reply"].value("title", ""));
        out_ << "     [" << choices_.size() << "] " << b["reply"].value("title", "") << "\n";
      }
    } else if (interactive.value("type", "") == "list") {
      out_ << "     (" << action.value("button", "") << ")\n";
      for (const auto& section : action.value("sections", json::array())) {
        if (section.contains("title")) out_ << "     " << section.value("title", "") << "\n";
        for (const auto& row : section.value("rows", json::array())) {
          choices_.emplace_back("list_reply", row.value("id", ""), row.value("title", ""));
          out_ << "     [" << choices_.size() << "] " << row.value("title", "");
          if (row.contains("description")) out_ << " - " << row.value("description", "");
          out_ << "\n";
        }
      }
    }
    if (interactive.contains("footer")) out_ << "     _" << interactive["footer"].value("text", "") << "_\n";
  }

  const ChatOptions& options_;
  std::ostream& out_;
  SignatureVerifier signer_;
  std::int64_t last_seq_ = 0;
  std::vector<std::tuple<std::string, std::string, std::string>> choices_;
};

std::string mime_for(const std::string& path) {
  auto ends = [&](const char* ext) {
    std::string e(ext);
    return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
  };
  if (ends(".png")) return "image/png";
  if (ends(".pdf")) return "application/pdf";
  return "image/jpeg";
}

}  // namespace

int run_chat(const ChatOptions& options, std::istream& in, std::ostream& out) {
  Chat chat(options, out);
  out << "tilangbot chat as " << options.wa_id << " -> http://" << options.host << ":" << options.port << "\n"
      << "Type a message (e.g. 'halo', 'denda', 'B 1234 XYZ'). Extras: /foto FILE, /pdf FILE, "
         "/lokasi LAT,LON, /suara, /keluar\n";
  std::string line;
  try {
    chat.send_message({{"type", "text"}, {"text", {{"body", "halo"}}}});
    chat.print_replies();
    while (out << "\nanda> " << std::flush, std::getline(in, line)) {
      if (line == "/keluar" || line == "/quit") break;
      if (line.empty()) continue;
      if (line.rfind("/foto ", 0) == 0 || line.rfind("/pdf ", 0) == 0) {
        bool pdf = line.rfind("/pdf ", 0) == 0;
        std::string path = line.substr(pdf ? 5 : 6);
        std::string mime = pdf ? "application/pdf" : mime_for(path);
        std::string id = chat.upload(path, mime);
        if (id.empty()) continue;
        if (pdf) {
          chat.send_message({{"type", "document"}, {"document", {{"id", id}, {"mime_type", mime}, {"filename", path}}}});
        } else {
          chat.send_message({{"type", "image"}, {"image", {{"id", id}, {"mime_type", mime}}}});
        }
      } else if (line.rfind("/lokasi ", 0) == 0) {
        double lat = 0, lon = 0;
        char comma = 0;
        std::istringstream coords(line.substr(8));
        coords >> lat >> comma >> lon;
        chat.send_message({{"type", "location"}, {"location", {{"latitude", lat}, {"longitude", lon}}}});
      } else if (line == "/suara") {
        chat.send_message({{"type", "audio"}, {"audio", {{"id", "0"}, {"mime_type", "audio/ogg; codecs=opus"}, {"voice", true}}}});
      } else if (!chat.tap(line)) {
        chat.send_message({{"type", "text"}, {"text", {{"body", line}}}});
      }
      chat.print_replies();
    }
  } catch (const std::exception& e) {
    out << "\n! " << e.what() << " (is `tilangbot serve --demo` running?)\n";
    return 1;
  }
  return 0;
}

}  // namespace tilang::bot
