#include "bot/etle_api.hpp"


#include <chrono>
#include <memory>
#include <mutex>

#include <nlohmann/json.hpp>

#include "bot/api_common.hpp"
#include "bot/clock.hpp"

namespace tilang::bot {
namespace {

using api::json_response;
using api::error_response;
using api::query_param;
using api::same_secret;
using api::answer_or_500;
using api::refused;

using nlohmann::json;

// The one path segment after `prefix`, or empty when there is none or more than one.
std::string single_segment(std::string_view path, std::string_view prefix) {
  if (path.size() <= prefix.size() || path.substr(0, prefix.size()) != prefix) return {};
  std::string_view rest = path.substr(prefix.size());
  if (rest.find('/') != std::string_view::npos) return {};
  return std::string(rest);
}

std::string iso_utc(std::int64_t ms) {
  if (ms <= 0) return {};
  const std::int64_t s = ms / 1000;
  const std::int64_t sec = s % 86400;
  char buf[16];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02dZ", static_cast<int>(sec / 3600), static_cast<int>(sec / 60 % 60),
                static_cast<int>(sec % 60));
  return format_date_days(s / 86400) + buf;
}

json notice_json(const storage::NoticeView& v) {
  const auto& n = v.notice;
  json reminders = json::array();
  for (const auto& r : v.reminders) {
    reminders.push_back({{"offset_days", r.offset_days},
                         {"sent", r.outbox_id != 0},
                         {"outbox_state", r.outbox_state},
                         {"delivery_status", r.delivery_status},
                         {"at", iso_utc(r.created_at_ms)}});
  }
  int reminders_sent = 0;
  for (const auto& r : v.reminders) reminders_sent += r.outbox_id != 0 ? 1 : 0;
  return {{"notice_id", n.notice_id},
          {"state", v.display_state()},
          {"batch", v.batch},
          {"plate", n.plate},
          {"owner_name", n.owner_name},
          {"owner_wa", n.owner_wa},
          {"violation_time", n.violation_time},
          {"location", n.location},
          {"article", n.article},
          {"fine_amount", n.fine_amount},
          {"photo_url", n.photo_url},
          {"confirm_by", n.confirm_by},
          {"payment_deadline", n.payment_deadline},
          {"briva", n.briva},
          {"delivery",
           {{"outbox_id", v.template_outbox_id},
            {"outbox_state", v.template_state},
            {"status", v.delivery_status},
            {"wamid", v.template_wamid},
            {"attempts", v.template_attempts},
            {"error_code", v.template_error_code},
            {"error", v.template_error}}},
          {"response", n.response},
          {"other_name", n.other_name},
          {"other_phone", n.other_phone},
          {"responded_at", iso_utc(v.responded_at_ms)},
          {"reminders_sent", reminders_sent},
          {"reminders", reminders},
          {"expires_at", iso_utc(v.expires_at_ms)},
          {"expired_at", iso_utc(v.expired_at_ms)},
          {"created_at", iso_utc(v.created_at_ms)}};
}

json batch_json(const storage::BatchSummary& b) {
  return {{"batch", b.batch},         {"source", b.source},         {"label", b.label},
          {"created_at", iso_utc(b.created_at_ms)},
          {"total", b.total},         {"duplicates", b.duplicates}, {"rejected", b.rejected},
          {"queued", b.queued},       {"sent", b.sent},             {"delivered", b.delivered},
          {"read", b.read},           {"failed", b.failed},         {"responded", b.responded},
          {"confirmed", b.confirmed}, {"transferred", b.transferred}, {"disputed", b.disputed},
          {"paid", b.paid},           {"expired", b.expired},       {"reminders_sent", b.reminders_sent}};
}

class EtleApi {
 public:
  explicit EtleApi(EtleApiContext context) : ctx_(std::move(context)), store_(storage::open_sqlite_etle_store(ctx_.db_path)) {
    if (!ctx_.now_ms) {
      ctx_.now_ms = wall_clock_ms;
    }
  }

  template <class F>
  void guarded(Request&& r, Respond& respond, bool write, F&& handler) {
    const auto caller = authenticate(r);
    if (!caller) return respond(refused(r, 401, "missing or invalid bearer token"));
    if (write && !role_allows(caller->role, Role::supervisor)) {
      return respond(error_response(r, http::status::forbidden, "loading notices needs the supervisor or admin role"));
    }
    answer_or_500(r, respond, "api_failed", [&] { return handler(r); });
  }

  Response post_notices(const Request& r) {
    json body = json::parse(r.body(), nullptr, false);
    if (body.is_discarded()) return error_response(r, http::status::bad_request, "body is not JSON");
    if (!body.is_array()) return error_response(r, http::status::bad_request, "body must be a JSON array of notices");
    EtleImportResult result;
    {
      std::lock_guard lock(mutex_);
      result = import_etle_json(*store_, body, ctx_.import_options, ctx_.now_ms());
    }
    if (result.accepted > 0 && ctx_.on_enqueued) ctx_.on_enqueued();
    if (!result.ok()) return error_response(r, http::status::service_unavailable, result.error);
    return json_response(r, http::status::ok, to_json(result, "index"));
  }

  Response get_notice(const Request& r) {
    const std::string id = single_segment(target_path(r.target()), "/api/v1/etle/notices/");
    if (id.empty()) return error_response(r, http::status::not_found, "use /api/v1/etle/notices/{notice_id}");
    std::optional<storage::NoticeView> view;
    {
      std::lock_guard lock(mutex_);
      view = store_->notice(id);
    }
    if (!view) return error_response(r, http::status::not_found, "no such notice");
    return json_response(r, http::status::ok, notice_json(*view));
  }

  Response get_batch(const Request& r) {
    const std::string id = single_segment(target_path(r.target()), "/api/v1/etle/batches/");
    if (id.empty()) return error_response(r, http::status::not_found, "use /api/v1/etle/batches/{batch}");
    std::optional<storage::BatchSummary> summary;
    {
      std::lock_guard lock(mutex_);
      summary = store_->batch(id);
    }
    if (!summary) return error_response(r, http::status::not_found, "no such batch");
    return json_response(r, http::status::ok, batch_json(*summary));
  }

  Response undelivered(const Request& r) {
    std::size_t limit = 1000;
    if (auto l = query_param(r.target(), "limit"); !l.empty()) {
      try {
        limit = std::min<std::size_t>(std::stoul(l), 100'000);
      } catch (const std::exception&) {
        return error_response(r, http::status::bad_request, "limit must be a number");
      }
    }
    std::vector<storage::UndeliveredNotice> rows;
    {
      std::lock_guard lock(mutex_);
      rows = store_->undelivered(query_param(r.target(), "batch"), limit);
    }
    json items = json::array();
    for (const auto& u : rows) {
      items.push_back({{"notice_id", u.notice.notice_id},
                       {"batch", u.batch},
                       {"plate", u.notice.plate},
                       {"owner_name", u.notice.owner_name},
                       {"owner_wa", u.notice.owner_wa},
                       {"violation_time", u.notice.violation_time},
                       {"location", u.notice.location},
                       {"article", u.notice.article},
                       {"confirm_by", u.notice.confirm_by},
                       {"error_code", u.error_code},
                       {"error", u.error},
                       {"created_at", iso_utc(u.created_at_ms)}});
    }
    return json_response(r, http::status::ok, json{{"items", items}});
  }

 private:
  std::optional<ApiCaller> authenticate(const Request& r) const {
    const auto header = r[http::field::authorization];
    constexpr std::string_view scheme = "Bearer ";
    if (header.size() <= scheme.size() || header.substr(0, scheme.size()) != scheme) return std::nullopt;
    const std::string_view token(header.data() + scheme.size(), header.size() - scheme.size());
    if (!ctx_.api_token.empty() && same_secret(token, ctx_.api_token)) return ApiCaller{"api", "admin"};
    if (ctx_.authenticate) return ctx_.authenticate(token);
    return std::nullopt;
  }

  EtleApiContext ctx_;
  std::mutex mutex_;  // the store is one connection; io threads take turns
  std::unique_ptr<storage::EtleStore> store_;
};

}  // namespace

void install_etle_routes(Router& router, EtleApiContext context) {
  auto api = std::make_shared<EtleApi>(std::move(context));
  // The exact POST route goes before the prefix route, which also matches "/api/v1/etle/notices".
  router.add(http::verb::post, "/api/v1/etle/notices", "api_etle_notices", [api](Request&& r, Respond respond) {
    api->guarded(std::move(r), respond, true, [&](const Request& req) { return api->post_notices(req); });
  });
  router.add(http::verb::get, "/api/v1/etle/notices/", "api_etle_notice", [api](Request&& r, Respond respond) {
    api->guarded(std::move(r), respond, false, [&](const Request& req) { return api->get_notice(req); });
  });
  router.add(http::verb::get, "/api/v1/etle/batches/", "api_etle_batch", [api](Request&& r, Respond respond) {
    api->guarded(std::move(r), respond, false, [&](const Request& req) { return api->get_batch(req); });
  });
  router.add(http::verb::get, "/api/v1/etle/undelivered", "api_etle_undelivered", [api](Request&& r, Respond respond) {
    api->guarded(std::move(r), respond, false, [&](const Request& req) { return api->undelivered(req); });
  });
}

}  // namespace tilang::bot
