// Rupiah amounts written the Indonesian way: Rp500.000 (dot thousands separator, no decimals).
#pragma once

#include <cstdint>
#include <string>

namespace tilang::flows {

std::string format_rupiah(std::int64_t amount);

}  // namespace tilang::flows
