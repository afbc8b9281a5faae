// What provider-managed VPN gateways do, as data.
//
// A managed gateway (`profile:` on a router) is not configured by the user:
// its BGP timers, BFD support and ECMP behaviour are the provider's. The
// analysis uses these values instead of the router section's where the
// provider fixes them, and reports configuration the provider cannot honour.
// Every value cites the public page it comes from (provider_profiles.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/topology.h"
#include "core/ip.h"
#include "core/time.h"

namespace halink::design {

struct AsnRange {
  uint32_t first = 0;
  uint32_t last = 0;
  bool contains(uint32_t asn) const { return asn >= first && asn <= last; }
};

struct ProviderProfile {
  config::GatewayProfile profile = config::GatewayProfile::none;
  std::string display_name;  // "Azure VPN Gateway"

  // BGP timers the gateway uses. With `timers_fixed` the gateway uses exactly
  // these whatever its peer proposes; otherwise they are defaults and the
  // keepalive may be set within [keepalive_min, keepalive_max], the hold time
  // following as hold_per_keepalive × keepalive.
  Duration keepalive;
  Duration hold_time;
  bool timers_fixed = false;
  Duration keepalive_min;
  Duration keepalive_max;
  int64_t hold_per_keepalive = 3;

  bool bfd_supported = false;
  // Spreads traffic over several equal BGP paths (tunnels) towards the peer.
  bool ecmp_supported = false;
  // IPsec dead-peer detection: how long the gateway keeps a silent tunnel up
  // before it tears the tunnel (and the BGP session over it) down.
  std::optional<Duration> dead_peer_detection;

  // ASNs the peer (the user's router) must not use.
  std::vector<AsnRange> reserved_peer_asns;
  // Tunnel inside addresses in 169.254/16 must come from this range.
  std::optional<IpAddress> link_local_range_low;
  std::optional<IpAddress> link_local_range_high;

  // One sentence on how the provider lets the user influence path choice.
  std::string path_preference_note;
};

// nullptr for GatewayProfile::none.
const ProviderProfile* provider_profile(config::GatewayProfile profile);

// The profile of `router`, or nullptr when it is a halink/BIRD/FRR node.
const ProviderProfile* provider_profile_of(const config::RouterConfig& router);

}  // namespace halink::design
