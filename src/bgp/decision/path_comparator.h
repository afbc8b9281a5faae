// The BGP decision process: which of several paths to one prefix is best.
//
// RFC 4271 §9.1 in short:
//   §9.1.1  Phase 1 gives every path a degree of preference: LOCAL_PREF for
//           iBGP-learned paths, local policy (here: import policy, which may
//           set LOCAL_PREF) for eBGP-learned ones.
//   §9.1.2  Phase 2 excludes paths whose NEXT_HOP is unresolvable and paths
//           whose AS_PATH contains our own AS (the speaker drops those before
//           they reach the RIB), then picks the most preferred; ties go to
//   §9.1.2.2 the tie-breaking rules, applied as successive eliminations:
//     a) highest degree of preference (LOCAL_PREF);
//     a) shortest AS_PATH (an AS_SET counts 1; RFC 5065 §5.3: confederation
//        segments count 0);
//     b) lowest ORIGIN (IGP < EGP < INCOMPLETE);
//     c) lowest MULTI_EXIT_DISC, compared only among paths from the same
//        neighbouring AS (first AS of the AS_PATH); a missing MED is the
//        lowest value, 0;
//     d) eBGP-learned over iBGP-learned;
//     e) lowest interior cost to the NEXT_HOP;
//     f) lowest BGP Identifier of the advertising speaker — for reflected
//        paths the ORIGINATOR_ID (RFC 4456 §9), then the shorter
//        CLUSTER_LIST (RFC 4456 §9);
//     g) lowest peer address.
//
// halink's deviations and additions (each a deliberate choice):
//   1. Paths the speaker originates itself win before LOCAL_PREF, so a
//      configured network is never replaced by a copy learned back.
//   2. No "oldest path" rule (RFC 5004): the result never depends on arrival
//      order or a clock, so the simulator and halinkd agree.
//   3. always_compare_med (option) compares MED across neighbouring ASes.
//   4. Multipath (not in RFC 4271): every path equal to the best through
//      step e) joins the ECMP set, up to max_paths; eBGP members must share
//      the best path's neighbouring AS unless multipath_relax. See
//      path_selection.h.
//   5. Because c) only compares some pairs, "better than" is not transitive;
//      path_selection.h therefore applies the steps as the RFC's
//      eliminations over the whole set instead of sorting by this comparator.
#pragma once

#include <cstdint>

#include "bgp/decision/decision_config.h"
#include "bgp/rib/attribute_store.h"
#include "bgp/rib/peer.h"

namespace halink::bgp {

// The steps, in order; the comparator reports which one decided.
enum class DecisionStep : uint8_t {
  locally_originated,
  local_pref,
  as_path_length,
  origin,
  med,
  ebgp_over_ibgp,
  igp_cost,
  router_id,
  cluster_list_length,
  peer_address,
  equal,  // no step told them apart
};
const char* decision_step_name(DecisionStep step);  // "local-pref", "as-path-length", …

// What the comparator needs about one path.
struct PathView {
  const DecisionKey& attributes;
  const PeerInfo& peer;
  uint32_t igp_cost = 0;
};

struct PathComparison {
  int preference = 0;  // < 0: a is better, > 0: b is better, 0: equal
  DecisionStep step = DecisionStep::equal;
  bool a_better() const { return preference < 0; }
  bool b_better() const { return preference > 0; }
};

// The one comparator. Compares the steps up to and including `last` and
// reports the first that differs.
PathComparison compare_paths(const PathView& a, const PathView& b, const DecisionConfig& config,
                             DecisionStep last = DecisionStep::peer_address);

}  // namespace halink::bgp
