#include "config/router_parser.h"

#include <algorithm>

#include "config/neighbor_parser.h"
#include "config/policy_parser.h"

namespace halink::config {

namespace {

const std::vector<std::string> router_keys = {
    "description", "site", "profile", "daemon", "local_as", "router_id", "listen", "control_socket",
    "lan_address", "networks", "ecmp", "fib", "policies", "neighbor_defaults", "neighbors", "static_routes"};

const std::vector<std::string> profile_names = {"azure-vpn-gateway", "aws-vgw", "aws-transit-gateway", "gcp-ha-vpn"};

void read_listen(ErrorSink& sink, const Located& where, ListenSettings& listen) {
  MapReader map(sink, where, {"addresses", "port"});
  if (auto v = map.get("addresses")) {
    for (const Located& element : read_list(sink, *v, /*allow_scalar=*/true))
      if (auto address = read_address(sink, element)) listen.addresses.push_back(*address);
  }
  if (auto v = map.get("port")) {
    if (auto port = read_uint(sink, *v, 1, 65535)) listen.port = static_cast<uint16_t>(*port);
  }
}

void read_ecmp(ErrorSink& sink, const Located& where, EcmpSettings& ecmp) {
  MapReader map(sink, where, {"max_paths", "multipath_relax"});
  if (auto v = map.get("max_paths")) {
    if (auto n = read_uint(sink, *v, 1, 256, "paths")) ecmp.max_paths = static_cast<uint32_t>(*n);
  }
  if (auto v = map.get("multipath_relax")) {
    if (auto b = read_bool(sink, *v)) ecmp.multipath_relax = *b;
  }
}

void read_fib(ErrorSink& sink, const Located& where, FibSettings& fib) {
  MapReader map(sink, where, {"table", "install", "keep_on_exit"});
  if (auto v = map.get("table")) {
    if (v->node.IsScalar() && v->node.Scalar() == "main") {
      fib.table = 254;
    } else if (auto n = read_uint(sink, *v, 1, 4294967295)) {
      // 255 is the kernel's "local" table of addresses it owns.
      if (*n == 255)
        sink.error(v->mark, v->path, "table 255 is the kernel's local table; use main (254) or your own");
      else
        fib.table = static_cast<uint32_t>(*n);
    }
  }
  if (auto v = map.get("install")) {
    if (auto b = read_bool(sink, *v)) fib.install = *b;
  }
  if (auto v = map.get("keep_on_exit")) {
    if (auto b = read_bool(sink, *v)) fib.keep_on_exit = *b;
  }
}

}  // namespace

std::vector<StaticRoute> read_static_routes(ErrorSink& sink, const Located& where, const ReferenceIndex& index) {
  std::vector<StaticRoute> out;
  for (const Located& element : read_list(sink, where)) {
    MapReader map(sink, element, {"prefix", "via", "interface"});
    if (!map.valid()) continue;
    const size_t errors_before = sink.count();
    StaticRoute route;
    if (auto v = map.require("prefix")) {
      if (auto p = read_prefix(sink, *v)) route.prefix = *p;
    }
    if (auto v = map.get("via")) {
      if (auto text = read_string(sink, *v)) {
        if (auto address = IpAddress::parse(*text)) {
          route.via_address = *address;
          if (address->family() != route.prefix.family())
            sink.error(v->mark, v->path,
                       "gateway " + address->to_string() + " is not of the family of " + route.prefix.to_string());
        } else if (index.whole_topology && index.nodes.count(*text)) {
          route.via_name = *text;
          route.via_kind = index.nodes.at(*text);
        } else {
          std::vector<std::string> names;
          for (const auto& [name, kind] : index.nodes) names.push_back(name);
          sink.error(v->mark, v->path,
                     index.whole_topology
                         ? "'" + *text + "' is neither an address nor a router, device, host or tunnel" +
                               did_you_mean(*text, names)
                         : "'" + *text + "' is not an address (names of other nodes need the whole topology)");
        }
      }
    }
    if (auto v = map.get("interface")) {
      if (auto name = read_interface_name(sink, *v)) route.interface = *name;
    }
    if (!map.has("via") && !map.has("interface"))
      sink.error(element.mark, element.path, "needs 'via' (an address or node name) or 'interface'");
    if (sink.count() == errors_before) out.push_back(route);
  }
  return out;
}

std::optional<RouterConfig> read_router(ErrorSink& sink, const Located& where, const std::string& name,
                                        const ReferenceIndex& index) {
  MapReader map(sink, where, router_keys);
  if (!map.valid()) return std::nullopt;
  const size_t errors_before = sink.count();
  RouterConfig router;
  router.name = name;

  if (auto v = map.get("description")) {
    if (auto text = read_string(sink, *v)) router.description = *text;
  }
  if (auto v = index.whole_topology ? map.require("site") : map.get("site")) {
    if (auto site = read_name(sink, *v)) {
      router.site = *site;
      if (index.whole_topology && std::find(index.sites.begin(), index.sites.end(), *site) == index.sites.end())
        sink.error(v->mark, v->path, "no site named '" + *site + "'" + did_you_mean(*site, index.sites));
    }
  }
  if (auto v = map.get("profile")) {
    if (auto text = read_choice(sink, *v, profile_names))
      router.profile = static_cast<GatewayProfile>(
          1 + (std::find(profile_names.begin(), profile_names.end(), *text) - profile_names.begin()));
  }
  if (auto v = map.get("daemon")) {
    if (auto text = read_choice(sink, *v, {"halinkd", "bird", "frr"}))
      router.daemon = *text == "halinkd" ? DaemonKind::halinkd : *text == "bird" ? DaemonKind::bird : DaemonKind::frr;
  }
  if (auto v = map.require("local_as")) {
    if (auto asn = read_asn(sink, *v)) router.local_as = *asn;
  }
  // A managed gateway's identifier is the provider's business.
  if (auto v = router.managed() ? map.get("router_id") : map.require("router_id")) {
    if (auto id = read_ipv4(sink, *v)) {
      if (id->is_unspecified())
        sink.error(v->mark, v->path, "0.0.0.0 is not a valid BGP identifier (RFC 6286 §2.1)");
      router.router_id = *id;
    }
  }
  if (auto v = map.get("listen")) read_listen(sink, *v, router.listen);
  if (auto v = map.get("control_socket")) {
    if (auto path = read_string(sink, *v)) router.control_socket = index.resolve_path(*path);
  }
  if (auto v = map.get("networks")) {
    for (const Located& element : read_list(sink, *v, /*allow_scalar=*/true)) {
      auto prefix = read_prefix(sink, element);
      if (!prefix) continue;
      if (std::find(router.networks.begin(), router.networks.end(), *prefix) != router.networks.end())
        sink.error(element.mark, element.path, prefix->to_string() + " is listed twice");
      else
        router.networks.push_back(*prefix);
    }
  }
  if (auto v = map.get("lan_address")) router.lan_address = read_interface_address(sink, *v);
  if (auto v = map.get("ecmp")) read_ecmp(sink, *v, router.ecmp);
  if (auto v = map.get("fib")) read_fib(sink, *v, router.fib);
  if (auto v = map.get("policies")) router.policies = read_policies(sink, *v);

  std::optional<MapReader> defaults;
  if (auto v = map.get("neighbor_defaults")) defaults.emplace(sink, *v, neighbor_default_keys());
  if (auto v = map.get("neighbors")) {
    const NeighborScope scope{router, defaults ? &*defaults : nullptr, index};
    std::vector<std::pair<Neighbor, Located>> seen;
    for (const Located& element : read_list(sink, *v)) {
      auto neighbor = read_neighbor(sink, element, scope);
      if (!neighbor) continue;
      bool duplicate = false;
      for (const auto& [other, other_at] : seen) {
        if (other.name == neighbor->name) {
          sink.error(element.mark, element.path,
                     "duplicate neighbor name '" + neighbor->name + "' (also " + other_at.path + ")");
          duplicate = true;
        } else if (other.address == neighbor->address && other.port == neighbor->port) {
          sink.error(element.mark, element.path,
                     "neighbor address " + neighbor->address.to_string() + " is also " + other_at.path);
          duplicate = true;
        }
      }
      if (duplicate) continue;
      seen.emplace_back(*neighbor, element);
      router.neighbors.push_back(std::move(*neighbor));
    }
  }
  if (auto v = map.get("static_routes")) router.static_routes = read_static_routes(sink, *v, index);

  if (sink.count() != errors_before) return std::nullopt;
  return router;
}

}  // namespace halink::config
