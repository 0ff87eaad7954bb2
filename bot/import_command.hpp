// The shape every `tilangbot import ...` command shares: open the file and the store, stream the
// CSV through the importer, print each rejected row as it is found (a file of bad rows does not grow
// the memory either), then one summary line; exit 0, or 1 with the reason on stderr.
#pragma once

#include <cstddef>
#include <exception>
#include <memory>
#include <ostream>
#include <string>

#include "bot/clock.hpp"
#include "bot/csv.hpp"

namespace tilang::bot {

// `open_store()` returns a std::unique_ptr to the store (and may throw); `import(store, reader,
// now_ms, print_rejected)` returns a result with ok() and error; `summary(result)` is the last line.
template <class OpenStore, class Import, class Summary>
int run_import_command(const std::string& file, std::ostream& out, std::ostream& err, std::size_t chunk_size,
                       OpenStore&& open_store, Import&& import, Summary&& summary) {
  auto in = open_import_file(file, err);
  if (!in) return 1;
  decltype(open_store()) store;
  try {
    store = open_store();
  } catch (const std::exception& e) {
    err << "tilangbot: " << e.what() << "\n";
    return 1;
  }
  CsvReader reader(*in, chunk_size);
  const auto print_rejected = [&](const auto& rejected) {
    out << file << ":" << rejected.where << ": rejected: " << rejected.reason << "\n";
  };
  const auto result = import(*store, reader, wall_clock_ms(), print_rejected);
  out << summary(result) << "\n";
  if (!result.ok()) {
    err << "tilangbot: " << file << ": " << result.error << "\n";
    return 1;
  }
  return 0;
}

}  // namespace tilang::bot
