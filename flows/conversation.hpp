// Per-user conversation state, persisted by the engine between steps.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tilang::flows {

struct Conversation {
  std::string language = "id";  // "id" | "en"
  std::string flow;             // "" = at the main menu; else "cek_denda", "bukti_bayar", "pengambilan",
                                // "lapor", "info", "etle", "status", "handoff"
  std::string step;             // flow-specific step name
  std::map<std::string, std::string> slots;  // answers collected so far (cleared when the flow changes)
  std::chrono::system_clock::time_point last_activity{};  // last user message; epoch = never
  bool resume_offered = false;  // idle prompt "continue or start again?" is showing
  bool welcomed = false;        // greeting already shown once
};

// A compact, line-based text form of the state for one database column (flows have no JSON).
std::string encode(const Conversation& state);
std::optional<Conversation> decode(std::string_view text);

}  // namespace tilang::flows
