// `tilangbot chat`: a terminal WhatsApp user. Lines typed become signed webhooks to a running
// service; the bot's replies are read back from the demo sandbox and printed, buttons and lists
// numbered so that typing a number taps them.
#pragma once

#include <iosfwd>
#include <string>

namespace tilang::bot {

struct ChatOptions {
  std::string host = "127.0.0.1";
  std::string port = "8080";
  std::string app_secret = "demo-secret";
  std::string phone_number_id = "100000000000001";
  std::string wa_id = "6281200000001";
  std::string profile_name = "Pengguna Demo";
};

int run_chat(const ChatOptions& options, std::istream& in, std::ostream& out);

}  // namespace tilang::bot
