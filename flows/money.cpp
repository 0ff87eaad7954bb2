#include "flows/money.hpp"

namespace tilang::flows {

std::string format_rupiah(std::int64_t amount) {
  // Work on the magnitude as unsigned so INT64_MIN does not overflow.
  const bool negative = amount < 0;
  std::uint64_t magnitude = negative ? ~static_cast<std::uint64_t>(amount) + 1U : static_cast<std::uint64_t>(amount);
  std::string digits = std::to_string(magnitude);
  std::string grouped;
  const std::size_t lead = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  grouped.append(digits, 0, lead);
  for (std::size_t i = lead; i < digits.size(); i += 3) {
    grouped += '.';
    grouped.append(digits, i, 3);
  }
  return (negative ? "-Rp" : "Rp") + grouped;
}

}  // namespace tilang::flows
