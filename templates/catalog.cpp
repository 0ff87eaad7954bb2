#include "templates/catalog.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "templates/builtin_catalog.hpp"

namespace tilang::templates {

std::optional<std::string_view> Catalog::find(std::string_view lang, std::string_view key) const {
  if (auto l = texts_.find(lang); l != texts_.end()) {
    if (auto k = l->second.find(key); k != l->second.end()) return std::string_view(k->second);
  }
  if (lang != default_language) return find(default_language, key);
  return std::nullopt;
}

bool Catalog::has_own(std::string_view lang, std::string_view key) const {
  auto l = texts_.find(lang);
  return l != texts_.end() && l->second.find(key) != l->second.end();
}

std::vector<std::string> Catalog::keys(std::string_view lang) const {
  std::vector<std::string> out;
  if (auto l = texts_.find(lang); l != texts_.end()) {
    for (const auto& [k, v] : l->second) out.push_back(k);
  }
  return out;
}

std::vector<std::string> Catalog::languages() const {
  std::vector<std::string> out;
  for (const auto& [lang, texts] : texts_) out.push_back(lang);
  return out;
}

struct CatalogBuilder {
  static CatalogResult build(const std::vector<std::pair<std::string, std::string>>& files) {
    Catalog c;
    for (const auto& [path, content] : files) {
      if (!path.ends_with(".json")) continue;
      nlohmann::json doc = nlohmann::json::parse(content, nullptr, false);
      if (doc.is_discarded()) return {std::nullopt, path + ": not valid JSON"};
      if (path == "etle_template.json") {
        if (auto err = read_spec(doc, c.etle_); !err.empty()) return {std::nullopt, path + ": " + err};
        continue;
      }
      const auto slash = path.find('/');
      if (slash == std::string::npos) continue;  // other top-level JSON files are not catalogs
      const std::string lang = path.substr(0, slash);
      if (!doc.is_object()) return {std::nullopt, path + ": expected an object of key -> text"};
      auto& texts = c.texts_[lang];
      for (const auto& [key, value] : doc.items()) {
        if (!value.is_string()) return {std::nullopt, path + ": key '" + key + "' is not a string"};
        if (!texts.emplace(key, value.get<std::string>()).second) {
          return {std::nullopt, path + ": key '" + key + "' defined twice for language '" + lang + "'"};
        }
      }
    }
    if (c.texts_.find(default_language) == c.texts_.end()) {
      return {std::nullopt, "catalog has no '" + std::string(default_language) + "' texts"};
    }
    return {std::move(c), {}};
  }

  static std::string read_spec(const nlohmann::json& doc, EtleTemplateSpec& spec) {
    if (!doc.is_object()) return "expected an object";
    auto strings = [](const nlohmann::json& arr, std::vector<std::string>& out) {
      if (!arr.is_array()) return false;
      out.clear();
      for (const auto& v : arr) {
        if (!v.is_string()) return false;
        out.push_back(v.get<std::string>());
      }
      return true;
    };
    if (doc.contains("name")) {
      if (!doc["name"].is_string()) return "'name' must be a string";
      spec.name = doc["name"].get<std::string>();
    }
    if (doc.contains("languages")) {
      if (!doc["languages"].is_object()) return "'languages' must map catalog language -> template language code";
      spec.language_codes.clear();
      for (const auto& [k, v] : doc["languages"].items()) {
        if (!v.is_string()) return "'languages' values must be strings";
        spec.language_codes[k] = v.get<std::string>();
      }
    }
    if (doc.contains("body_parameters") && !strings(doc["body_parameters"], spec.body_parameters)) {
      return "'body_parameters' must be an array of strings";
    }
    if (doc.contains("quick_reply_payloads") && !strings(doc["quick_reply_payloads"], spec.quick_reply_payloads)) {
      return "'quick_reply_payloads' must be an array of strings";
    }
    return {};
  }
};

CatalogResult load_catalog(const std::vector<std::pair<std::string, std::string>>& files) {
  return CatalogBuilder::build(files);
}

CatalogResult load_builtin_catalog() {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& [path, content] : builtin_catalog_files()) files.emplace_back(path, content);
  return load_catalog(files);
}

CatalogResult load_catalog_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return {std::nullopt, dir.string() + ": not a directory"};
  std::vector<std::pair<std::string, std::string>> files;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".json") continue;
    std::ifstream in(it->path(), std::ios::binary);
    if (!in) return {std::nullopt, it->path().string() + ": cannot be read"};
    std::ostringstream content;
    content << in.rdbuf();
    files.emplace_back(it->path().lexically_relative(dir).generic_string(), content.str());
  }
  if (ec) return {std::nullopt, dir.string() + ": " + ec.message()};
  return load_catalog(files);
}

CatalogResult load_catalog_or_builtin(const std::optional<std::filesystem::path>& dir) {
  return dir ? load_catalog_dir(*dir) : load_builtin_catalog();
}

}  // namespace tilang::templates
