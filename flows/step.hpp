// The pure step function: (state, input, now) -> (next state, actions). No I/O, no clock reads.
#pragma once

#include <chrono>
#include <vector>

#include "flows/action.hpp"
#include "flows/conversation.hpp"
#include "flows/input.hpp"

namespace tilang::flows {

struct Transition {
  Conversation next;
  std::vector<Action> actions;
};

Transition step(const Conversation& state, const Input& input, std::chrono::system_clock::time_point now);

}  // namespace tilang::flows
