// The attribute changes RFC 4271 requires when a route leaves the speaker,
// around the neighbour's export policy:
//   prepare_export() → export policy (policy_evaluator.h) → finish_export().
#pragma once

#include <optional>

#include "bgp/policy/policy.h"
#include "bgp/rib/peer.h"
#include "bgp/wire/attributes.h"
#include "core/ip.h"

namespace halink::bgp {

struct ExportTarget {
  PeerId peer = 0;
  uint32_t local_as = 0;
  bool ebgp = true;
  // Our address on the session, for NEXT_HOP (RFC 4271 §5.1.3); for the
  // prefix's family.
  std::optional<IpAddress> local_address;
  // iBGP only: NEXT_HOP becomes local_address for routes learned from eBGP
  // too (next-hop-self), not only for routes we originate.
  bool next_hop_self = false;
};

// Whether the best path learned from `from` may be sent to `to` at all:
// never back to the neighbour it came from, and iBGP-learned routes never
// to iBGP neighbours (RFC 4271 §9.2, no route reflection).
bool export_allowed(const PeerInfo& from, const ExportTarget& to);

// Before export policy: what must not cross into another AS.
//  - LOCAL_PREF is not sent to eBGP neighbours (§5.1.5).
//  - A MED learned from a neighbouring AS is not passed on to another AS
//    (§5.1.4); export policy may still set one.
//  - ORIGINATOR_ID and CLUSTER_LIST stay inside the AS (RFC 4456 §8).
PathAttributes prepare_export(const PathAttributes& best, const PeerInfo& from, const ExportTarget& to);

// After export policy: own AS prepended for eBGP (§5.1.2), never for iBGP;
// NEXT_HOP set to our address for eBGP, for routes we originate (§5.1.3)
// and, with next_hop_self, for everything sent to that iBGP neighbour;
// LOCAL_PREF present towards iBGP (§5.1.5). nullopt when no next hop of the prefix's
// family is known for this session (the route cannot be announced).
std::optional<PathAttributes> finish_export(PathAttributes attributes, const PeerInfo& from, const ExportTarget& to,
                                            Family family);

// Whether the neighbour's export policy matches on the prefix itself (a
// prefix list in some term). When it does not, every prefix whose best path
// has the same attributes leaves with the same attributes (or not at all),
// so the speaker exports once per attribute set.
bool export_reads_prefix(const NeighborPolicy& policy);

}  // namespace halink::bgp
