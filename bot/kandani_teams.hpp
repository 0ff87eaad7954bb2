// KANDANI officers work in teams; each report goes to one team's queue by its category, and each
// queue is served oldest first (DOMAIN.md, "Lapor / info").
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tilang::bot {

struct KandaniTeam {
  std::string id;                       // stored on the report ("laka")
  std::string label;                    // shown in the console ("Laka — kecelakaan lalu lintas")
  std::vector<std::string> categories;  // the lapor flow's categories routed here; the last team takes the rest
};

// Every team, in the order the console lists them.
const std::vector<KandaniTeam>& kandani_teams();

// The team a report of `category` (the lapor flow's category ids) is routed to.
std::string team_for(std::string_view category);

bool is_kandani_team(std::string_view id);

}  // namespace tilang::bot
