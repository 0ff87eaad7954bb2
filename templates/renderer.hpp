// Action -> Graph API request body (CLOUD_API.md §5.3). Meta's limits live here: what would be
// refused (too many buttons, long titles, too many rows) falls back to a numbered text menu, which
// the flows accept as typed numbers anyway.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "flows/action.hpp"
#include "templates/catalog.hpp"

namespace tilang::templates {

// Meta's limits (code points).
struct Limits {
  static constexpr std::size_t text_body = 4096;
  static constexpr std::size_t interactive_body = 1024;
  static constexpr std::size_t buttons = 3;
  static constexpr std::size_t button_title = 20;
  static constexpr std::size_t list_rows = 10;
  static constexpr std::size_t row_title = 24;
  static constexpr std::size_t row_description = 72;
  static constexpr std::size_t section_title = 24;
  static constexpr std::size_t list_button = 20;
  static constexpr std::size_t template_parameter = 1024;
};

// Request body for one action; JSON null for actions that are not messages (data requests).
nlohmann::json render(const flows::Action& action, const std::string& lang, const std::string& to,
                      const Catalog& catalog);

// As render(), and appends every problem found (missing key, unfilled placeholder) to `problems`.
// A missing key renders as "[key]" so the user still gets something; callers should log problems.
nlohmann::json render(const flows::Action& action, const std::string& lang, const std::string& to,
                      const Catalog& catalog, std::vector<std::string>& problems);

// Like render() but a text longer than Meta's limit becomes several messages split at line breaks
// instead of being truncated. Empty for non-message actions.
std::vector<nlohmann::json> render_all(const flows::Action& action, const std::string& lang, const std::string& to,
                                       const Catalog& catalog, std::vector<std::string>& problems);

// Catalog text with {placeholders} filled; '@name' params hold catalog keys (see flows/action.hpp).
std::string fill(const Catalog& catalog, const std::string& lang, const std::string& key, const flows::Params& params,
                 std::vector<std::string>& problems);

// Splits `text` into pieces of at most `limit` code points, preferring paragraph, then line, then
// word boundaries.
std::vector<std::string> split_text(const std::string& text, std::size_t limit);

}  // namespace tilang::templates
