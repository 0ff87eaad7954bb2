// Reading an e-TLE notice row, shared by the engine's and the e-TLE store's queries. Both select the
// 19 notice columns in this order: notice_id, business_number, plate, plate_normalized, owner_name,
// owner_wa, violation_time, location, article, fine_amount, photo_url, confirm_by, briva,
// payment_deadline, state, template_wamid, response, other_name, other_phone.
#pragma once

#include "storage/engine_store.hpp"
#include "storage/sqlite.hpp"

namespace tilang::storage {

NoticeRow read_notice(sqlite::Statement& s);

}  // namespace tilang::storage
