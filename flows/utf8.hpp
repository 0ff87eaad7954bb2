// UTF-8 and ASCII text helpers shared by flows and the renderer (Meta counts limits in characters).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tilang::flows {

// Number of code points (continuation bytes are not counted).
std::size_t code_points(std::string_view text);

// At most `max` code points; when cut, the last one is "…" so the reader sees the cut.
std::string truncate_code_points(std::string_view text, std::size_t max);

// Byte offset just past the first `count` code points (or text.size()).
std::size_t byte_offset_of(std::string_view text, std::size_t count);

std::string to_lower_ascii(std::string_view text);
std::string to_upper_ascii(std::string_view text);
std::string_view trim(std::string_view text);

// Trimmed, lower-cased, inner whitespace collapsed to one space: how typed commands compare.
std::string normalise_words(std::string_view text);

}  // namespace tilang::flows
