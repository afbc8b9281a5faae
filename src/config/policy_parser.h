// Routing policy in YAML → bgp::Policy / bgp::MaxPrefix (bgp/policy/policy.h).
//
//   policies:
//     cloud-in:
//       terms:
//         - name: cloud-prefixes
//           match: {prefixes: ["10.2.0.0/16 le 24"]}
//           set: {local_pref: 200}
//           action: accept          # accept (default) | reject | next-term
//       default: reject            # when no term decides
//
// A neighbour's import/export is "all", "none", a policy name, or a policy
// written inline with the same keys.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bgp/policy/policy.h"
#include "config/yaml_reader.h"

namespace halink::config {

// `policies:` of one router.
std::vector<bgp::Policy> read_policies(ErrorSink& sink, const Located& where);

// One policy definition (the value under a policy name, or inline).
std::optional<bgp::Policy> read_policy(ErrorSink& sink, const Located& where, const std::string& name);

// A neighbour's `import:` / `export:` value. `inline_name` names an inline policy.
std::optional<bgp::Policy> read_policy_reference(ErrorSink& sink, const Located& where,
                                                 const std::vector<bgp::Policy>& named,
                                                 const std::string& inline_name);

// `max_prefix: 1000` or `max_prefix: {limit: 1000, warning_only: false, restart_after: 60}`.
std::optional<bgp::MaxPrefix> read_max_prefix(ErrorSink& sink, const Located& where);

// "10.0.0.0/8", "10.0.0.0/8 le 24", "10.0.0.0/8 ge 16 le 24" (Cisco/FRR convention).
std::optional<bgp::PrefixListEntry> read_prefix_list_entry(ErrorSink& sink, const Located& where);

// "65000:100" or a well-known name: no-export, no-advertise, no-export-subconfed,
// no-peer, blackhole, graceful-shutdown, accept-own.
std::optional<uint32_t> read_community(ErrorSink& sink, const Located& where);
// "65000:1:2" (RFC 8092).
std::optional<bgp::LargeCommunity> read_large_community(ErrorSink& sink, const Located& where);

}  // namespace halink::config
