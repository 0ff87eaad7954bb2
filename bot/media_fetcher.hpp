// Downloading a user's media from the Graph API (GET /{media-id}, then the URL, both with the
// bearer token and a User-Agent). An interface so the engine does not depend on the HTTP client.
#pragma once

#include <cstdint>
#include <string>

namespace tilang::bot {

struct FetchedMedia {
  bool ok = false;
  std::string bytes;
  std::string mime_type;     // as reported by the Graph API
  std::string error;         // one line when !ok
  int error_code = 0;        // Graph API error code when there was one
  bool transient = false;    // worth retrying later (timeouts, 5xx)
};

class MediaFetcher {
 public:
  virtual ~MediaFetcher() = default;
  // Blocking; refuses (ok=false) anything larger than `max_bytes`.
  virtual FetchedMedia fetch(const std::string& media_id, std::size_t max_bytes) = 0;
};

}  // namespace tilang::bot
