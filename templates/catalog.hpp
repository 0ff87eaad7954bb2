// Message catalog: language -> key -> text with {param} placeholders, plus the e-TLE template spec.
// Loaded from the files built into the binary or from a folder (TILANGBOT_TEMPLATES_DIR, read by bot/).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tilang::templates {

// How the approved e-TLE utility template is addressed and filled (templates/etle_template.json).
struct EtleTemplateSpec {
  std::string name = "etle_konfirmasi";
  std::map<std::string, std::string> language_codes{{"id", "id"}, {"en", "en"}};  // catalog lang -> Meta code
  std::vector<std::string> body_parameters{"plate", "violation_time", "location", "article", "confirm_by", "photo_url"};
  std::vector<std::string> quick_reply_payloads{"ETLE_DRIVER_SELF", "ETLE_DRIVER_OTHER", "ETLE_NOT_MINE"};
};

class Catalog {
 public:
  // Text for `key` in `lang`; English falls back to Indonesian; nullopt when neither has it.
  std::optional<std::string_view> find(std::string_view lang, std::string_view key) const;
  // True only when `lang` itself defines `key` (no fallback): for completeness checks.
  bool has_own(std::string_view lang, std::string_view key) const;
  std::vector<std::string> keys(std::string_view lang) const;
  std::vector<std::string> languages() const;
  const EtleTemplateSpec& etle_template() const { return etle_; }

 private:
  friend struct CatalogBuilder;
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> texts_;
  EtleTemplateSpec etle_;
};

// Either a catalog or the reason it could not be loaded (file and problem named).
struct CatalogResult {
  std::optional<Catalog> catalog;
  std::string error;
  explicit operator bool() const { return catalog.has_value(); }
};

// `files`: (relative path, content). "<lang>/<anything>.json" holds texts; "etle_template.json" the spec.
CatalogResult load_catalog(const std::vector<std::pair<std::string, std::string>>& files);
CatalogResult load_builtin_catalog();
CatalogResult load_catalog_dir(const std::filesystem::path& dir);

// The directory when given (the TILANGBOT_TEMPLATES_DIR override), else the built-in catalog.
CatalogResult load_catalog_or_builtin(const std::optional<std::filesystem::path>& dir);

// The default language every key must exist in.
inline constexpr std::string_view default_language = "id";

}  // namespace tilang::templates
