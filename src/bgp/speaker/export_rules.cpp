#include "bgp/speaker/export_rules.h"

namespace halink::bgp {

bool export_allowed(const PeerInfo& from, const ExportTarget& to) {
  if (!from.local && from.id == to.peer) return false;
  if (!from.local && !from.ebgp && !to.ebgp) return false;
  return true;
}

PathAttributes prepare_export(const PathAttributes& best, const PeerInfo& from, const ExportTarget& to) {
  PathAttributes out = best;
  if (to.ebgp) {
    out.local_pref.reset();
    if (from.ebgp && !from.local) out.med.reset();
    out.originator_id.reset();
    out.cluster_list.clear();
  }
  return out;
}

std::optional<PathAttributes> finish_export(PathAttributes attributes, const PeerInfo& from, const ExportTarget& to,
                                            Family family) {
  if (!attributes.as_path) attributes.as_path = AsPath{};
  if (to.ebgp) {
    attributes.as_path->prepend(to.local_as);
  } else if (!attributes.local_pref) {
    attributes.local_pref = 100;  // RFC 4271 §5.1.5: always present on iBGP
  }
  if (to.ebgp || from.local || to.next_hop_self || !attributes.next_hop) {
    if (!to.local_address || to.local_address->family() != family) return std::nullopt;
    attributes.next_hop = to.local_address;
    attributes.link_local_next_hop.reset();
  }
  return attributes;
}

bool export_reads_prefix(const NeighborPolicy& policy) {
  if (!policy.export_policy) return false;
  for (const PolicyTerm& term : policy.export_policy->terms)
    if (!term.match.prefixes.empty()) return true;
  return false;
}

}  // namespace halink::bgp
