// The one topology schema as typed values.
//
// A topology file describes a whole design: sites and their prefixes, the
// routers on both sides, the tunnels between them and the underlays (ISPs)
// they ride on, devices on the data path (firewalls), hosts and static
// routes. The section of one router (RouterConfig) is exactly what halinkd
// runs with; `halink check`, `sim` and `lab` read the whole Topology.
// docs/CONFIG.md documents every key; defaults.h holds every default value.
//
// Everything here is plain data, already validated and resolved by the
// loader (loader.h): references by name are known to exist, a neighbour that
// names its tunnel has its address and interface filled in from the tunnel.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bgp/policy/policy.h"
#include "config/defaults.h"
#include "core/ip.h"
#include "core/time.h"

namespace halink::config {

// An address with the length of the subnet it lives in, as written on an
// interface: "169.254.21.1/30" (host bits are the point here, unlike Prefix).
struct InterfaceAddress {
  IpAddress address;
  uint8_t length = 0;

  Prefix subnet() const { return Prefix::make_masked(address, length); }
  std::string to_string() const { return address.to_string() + "/" + std::to_string(length); }
  bool operator==(const InterfaceAddress&) const = default;
};

// RFC 5880 §4.2-4.4 authentication sections; the key is read from key_file.
enum class BfdAuthType : uint8_t {
  simple_password,
  keyed_md5,
  meticulous_keyed_md5,
  keyed_sha1,
  meticulous_keyed_sha1,
};
const char* bfd_auth_type_name(BfdAuthType t);  // "keyed-sha1", ...

struct BfdAuth {
  BfdAuthType type = BfdAuthType::keyed_sha1;
  uint8_t key_id = 1;
  std::string key_file;  // absolute, or resolved against the config file's folder
  bool operator==(const BfdAuth&) const = default;
};

struct BfdSettings {
  // Used both as Desired Min TX Interval and Required Min RX Interval
  // (RFC 5880 §6.8.1); the negotiated interval is the slower of the two ends.
  Duration interval = defaults::bfd_interval;
  uint8_t multiplier = defaults::bfd_multiplier;  // Detect Mult
  bool multihop = false;  // RFC 5883 (port 4784) instead of RFC 5881 single hop
  std::optional<BfdAuth> auth;
  // Only log BFD state changes; BGP keeps using the path (for rolling BFD
  // out on a link before trusting it to move traffic).
  bool log_only = false;

  // Detection time with equal settings on both ends (RFC 5880 §6.8.4).
  Duration detection_time() const { return interval * multiplier; }
  bool operator==(const BfdSettings&) const = default;
};

enum class BgpFamily : uint8_t { ipv4_unicast, ipv6_unicast };
const char* bgp_family_name(BgpFamily f);  // "ipv4", "ipv6"

struct Neighbor {
  std::string name;  // unique within the router; `halink neighbor NAME ...`
  std::string description;
  IpAddress address;
  uint32_t remote_as = 0;
  uint16_t port = defaults::bgp_port;
  std::string tunnel;     // the tunnel the session runs over, or empty
  std::string interface;  // interface the peer is reached through, or empty
  std::optional<IpAddress> update_source;
  bool passive = false;   // never connect, only accept
  bool shutdown = false;  // administratively down
  // Keep routes as received, so an import policy change is applied
  // without a ROUTE-REFRESH and `show routes --received-from` shows them.
  bool soft_reconfiguration_inbound = false;
  // iBGP only: announce routes learned from eBGP neighbours with our own
  // session address as NEXT_HOP (RFC 4271 §5.1.3 leaves it unchanged on
  // iBGP). The site pair's session: a router that lost every tunnel then
  // forwards to its sibling instead of into nothing.
  bool next_hop_self = false;
  std::optional<uint8_t> ebgp_multihop;  // TTL for eBGP; unset: 1 (directly connected)
  bool ttl_security = false;             // GTSM, RFC 5082
  std::string password_file;             // TCP-MD5 key (RFC 2385), empty: none
  Duration hold_time = defaults::hold_time;  // zero: no keepalives, no hold timer
  Duration keepalive = defaults::hold_time / 3;
  Duration connect_retry = defaults::connect_retry;
  Duration idle_hold_max = defaults::idle_hold_max;  // the back-off's cap after repeated failures
  std::vector<BgpFamily> families;
  std::optional<BfdSettings> bfd;  // nullopt: BFD off
  bgp::NeighborPolicy policy;      // import/export policy and max-prefix

  bool is_ebgp(uint32_t local_as) const { return remote_as != local_as; }
  bool has_family(BgpFamily f) const;
  bool operator==(const Neighbor&) const = default;
};

enum class DaemonKind : uint8_t { halinkd, bird, frr };
const char* daemon_kind_name(DaemonKind d);

// Provider-managed gateways: their behaviour (timers, BFD, ECMP) is data in
// the profile, not configuration the user chooses.
enum class GatewayProfile : uint8_t {
  none,
  azure_vpn_gateway,
  aws_vgw,
  aws_transit_gateway,
  gcp_ha_vpn,
};
const char* gateway_profile_name(GatewayProfile p);  // "azure-vpn-gateway", ...

struct ListenSettings {
  std::vector<IpAddress> addresses;  // empty: every address (0.0.0.0 and ::)
  uint16_t port = defaults::bgp_port;
  bool operator==(const ListenSettings&) const = default;
};

struct EcmpSettings {
  uint32_t max_paths = defaults::ecmp_max_paths;
  // Paths of equal AS_PATH length but different neighbour AS may share
  // traffic (FRR "bestpath as-path multipath-relax").
  bool multipath_relax = false;
  bool operator==(const EcmpSettings&) const = default;
};

struct FibSettings {
  uint32_t table = defaults::fib_table;
  bool install = true;        // false: compute routes, touch no kernel table
  bool keep_on_exit = false;  // leave routes in the kernel when halinkd exits
  bool operator==(const FibSettings&) const = default;
};

enum class NodeKind : uint8_t { router, device, host, tunnel };
const char* node_kind_name(NodeKind k);

struct StaticRoute {
  Prefix prefix;
  std::optional<IpAddress> via_address;  // gateway address, or
  std::string via_name;                  // a router, device, host or tunnel by name
  NodeKind via_kind = NodeKind::router;  // meaningful when via_name is set
  std::string interface;
  bool operator==(const StaticRoute&) const = default;
};

// One router: the section halinkd reads (`halinkd -c FILE --node NAME`).
struct RouterConfig {
  std::string name;
  std::string description;
  std::string site;
  GatewayProfile profile = GatewayProfile::none;
  DaemonKind daemon = DaemonKind::halinkd;  // what the lab runs on this node
  uint32_t local_as = 0;
  IpAddress router_id;
  ListenSettings listen;
  std::string control_socket = defaults::control_socket;
  std::vector<Prefix> networks;  // originated by this router
  // The router's address on its site's LAN, inside one of the site's
  // prefixes. An iBGP neighbour at a sibling's LAN address is the site
  // pair's session; the simulator and the lab put that session on the LAN.
  // halinkd itself does not configure interfaces: it only reads it.
  std::optional<InterfaceAddress> lan_address;
  EcmpSettings ecmp;
  FibSettings fib;
  std::vector<bgp::Policy> policies;  // named policies, as defined
  std::vector<Neighbor> neighbors;
  std::vector<StaticRoute> static_routes;

  bool managed() const { return profile != GatewayProfile::none; }
  const Neighbor* find_neighbor(const std::string& neighbor_name) const;
  bool operator==(const RouterConfig&) const = default;
};
using Router = RouterConfig;

struct Site {
  std::string name;
  std::string description;
  std::vector<Prefix> prefixes;
  bool operator==(const Site&) const = default;
};

// An ISP or other transport the tunnels' outer packets cross.
struct Underlay {
  std::string name;
  std::string description;
  uint64_t bandwidth_bps = 0;
  Duration latency = Duration::zero();  // one way
  bool operator==(const Underlay&) const = default;
};

struct TunnelEnd {
  std::string router;
  InterfaceAddress address;  // inside address, e.g. 169.254.21.1/30
  std::string interface;     // interface name on that router
  bool operator==(const TunnelEnd&) const = default;
};

// How the lab builds the tunnel; the simulator treats all kinds alike.
enum class TunnelKind : uint8_t {
  wireguard,  // the lab's default (wireguard-go)
  ipsec,      // what cloud VPN gateways speak; the lab builds it as WireGuard
  circuit,    // a private circuit (ExpressRoute / Direct Connect style): no encryption
};
const char* tunnel_kind_name(TunnelKind k);

struct Tunnel {
  std::string name;
  std::string description;
  TunnelKind kind = TunnelKind::wireguard;
  std::string underlay;
  std::array<TunnelEnd, 2> ends;
  uint32_t mtu = defaults::tunnel_mtu;

  const TunnelEnd* end_at(const std::string& router) const;
  const TunnelEnd* other_end(const std::string& router) const;
  bool operator==(const Tunnel&) const = default;
};

enum class DeviceKind : uint8_t { firewall, nat, load_balancer, switch_ };
const char* device_kind_name(DeviceKind k);  // "firewall", "nat", "load-balancer", "switch"

// A box on the data path between a site's LAN and its routers.
struct Device {
  std::string name;
  std::string description;
  DeviceKind kind = DeviceKind::firewall;
  std::string site;
  bool stateful = true;  // keeps per-connection state: asymmetric routing breaks it
  std::vector<std::string> inside;   // hosts/devices on the LAN side; empty: the site's LAN
  std::vector<std::string> outside;  // routers/devices towards the tunnels
  std::vector<StaticRoute> static_routes;
  bool operator==(const Device&) const = default;
};

struct Host {
  std::string name;
  std::string description;
  std::string site;
  std::optional<IpAddress> address;  // inside one of the site's prefixes
  bool operator==(const Host&) const = default;
};

struct Topology {
  std::string name;
  std::string description;
  std::string source_file;
  std::vector<Site> sites;
  std::vector<Underlay> underlays;
  std::vector<RouterConfig> routers;
  std::vector<Tunnel> tunnels;
  std::vector<Device> devices;
  std::vector<Host> hosts;

  const Site* find_site(const std::string& n) const;
  const Underlay* find_underlay(const std::string& n) const;
  const RouterConfig* find_router(const std::string& n) const;
  const Tunnel* find_tunnel(const std::string& n) const;
  const Device* find_device(const std::string& n) const;
  const Host* find_host(const std::string& n) const;
};

}  // namespace halink::config
