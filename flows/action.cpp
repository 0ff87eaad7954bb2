#include "flows/action.hpp"

namespace tilang::flows {
namespace {
template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;
}  // namespace

const char* action_name(const Action& action) {
  return std::visit(overloaded{
                        [](const SendText&) { return "SendText"; },
                        [](const SendButtons&) { return "SendButtons"; },
                        [](const SendList&) { return "SendList"; },
                        [](const SendEtleTemplate&) { return "SendEtleTemplate"; },
                        [](const MarkRead&) { return "MarkRead"; },
                        [](const LookupFines&) { return "LookupFines"; },
                        [](const StoreMedia&) { return "StoreMedia"; },
                        [](const CreatePayment&) { return "CreatePayment"; },
                        [](const LookupPayment&) { return "LookupPayment"; },
                        [](const ListSlots&) { return "ListSlots"; },
                        [](const BookSlot&) { return "BookSlot"; },
                        [](const CreateShipment&) { return "CreateShipment"; },
                        [](const CreateReport&) { return "CreateReport"; },
                        [](const LookupReport&) { return "LookupReport"; },
                        [](const LookupNotice&) { return "LookupNotice"; },
                        [](const RecordEtleResponse&) { return "RecordEtleResponse"; },
                        [](const HandToAgent&) { return "HandToAgent"; },
                        [](const CancelHandoff&) { return "CancelHandoff"; },
                    },
                    action);
}

bool is_outbound_message(const Action& action) {
  return std::holds_alternative<SendText>(action) || std::holds_alternative<SendButtons>(action) ||
         std::holds_alternative<SendList>(action) || std::holds_alternative<SendEtleTemplate>(action) ||
         std::holds_alternative<MarkRead>(action);
}

}  // namespace tilang::flows
