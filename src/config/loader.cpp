#include "config/loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/reference_index.h"
#include "config/router_parser.h"
#include "config/yaml_reader.h"

namespace halink::config {

namespace {

const std::vector<std::string> topology_keys = {"name",    "description", "sites",   "underlays",
                                                "routers", "tunnels",     "devices", "hosts"};

// Where `key` of a mapping is written, for errors found after reading.
Located key_value(const Located& map, const std::string& key) {
  Located out{YAML::Node(), map.mark, join_path(map.path, key)};
  if (!map.node.IsDefined() || !map.node.IsMap()) return out;
  for (const auto& pair : map.node) {
    const YAML::Node k = pair.first;
    const YAML::Node v = pair.second;
    if (k.IsScalar() && k.Scalar() == key) {
      out.node = v;
      out.mark = (v.IsNull() ? k : v).Mark();
      return out;
    }
  }
  return out;
}

std::optional<Site> read_site(ErrorSink& sink, const NamedEntry& entry) {
  MapReader map(sink, entry.value, {"description", "prefixes"});
  if (!map.valid()) return std::nullopt;
  Site site;
  site.name = entry.name;
  if (auto v = map.get("description")) {
    if (auto text = read_string(sink, *v)) site.description = *text;
  }
  if (auto v = map.require("prefixes")) {
    for (const Located& element : read_list(sink, *v, /*allow_scalar=*/true))
      if (auto p = read_prefix(sink, element)) site.prefixes.push_back(*p);
    if (site.prefixes.empty() && !v->node.IsScalar())
      sink.error(v->mark, v->path, "a site needs at least one prefix");
  }
  return site;
}

std::optional<Underlay> read_underlay(ErrorSink& sink, const NamedEntry& entry) {
  MapReader map(sink, entry.value, {"description", "bandwidth_mbps", "latency_ms"});
  if (!map.valid()) return std::nullopt;
  Underlay underlay;
  underlay.name = entry.name;
  if (auto v = map.get("description")) {
    if (auto text = read_string(sink, *v)) underlay.description = *text;
  }
  if (auto v = map.require("bandwidth_mbps")) {
    if (auto n = read_uint(sink, *v, 1, 10'000'000, "Mbit/s")) underlay.bandwidth_bps = *n * 1'000'000;
  }
  if (auto v = map.get("latency_ms")) {
    if (auto n = read_uint(sink, *v, 0, 10'000, "milliseconds"))
      underlay.latency = Duration::milliseconds(static_cast<int64_t>(*n));
  }
  return underlay;
}

// Both ends in one subnet that has room for two hosts; neither is the
// subnet's network or broadcast address (a /31 has neither, RFC 3021).
void check_tunnel_addressing(ErrorSink& sink, const Tunnel& tunnel, const std::array<Located, 2>& address_at) {
  const Located& second_address = address_at[1];
  const InterfaceAddress& a = tunnel.ends[0].address;
  const InterfaceAddress& b = tunnel.ends[1].address;
  auto error = [&](std::string why) { sink.error(second_address.mark, second_address.path, why); };
  if (a.address.family() != b.address.family()) {
    error("the ends are of different families (" + a.to_string() + " and " + b.to_string() + ")");
    return;
  }
  if (a.length != b.length || a.subnet() != b.subnet()) {
    error("both ends must be in the same subnet: " + a.to_string() + " is in " + a.subnet().to_string() + ", " +
          b.to_string() + " in " + b.subnet().to_string());
    return;
  }
  const int bits = address_bits(a.address.family());
  if (a.length >= bits) {
    error("a /" + std::to_string(a.length) + " leaves no room for the other end (use /30 or /31" +
          std::string(a.address.is_v6() ? ", /126 or /127 for IPv6" : "") + ")");
    return;
  }
  if (a.address == b.address) {
    error("both ends have the address " + a.address.to_string());
    return;
  }
  if (a.address.is_v4() && a.length <= 30) {
    const uint32_t mask = a.length == 0 ? 0 : ~uint32_t(0) << (32 - a.length);
    for (size_t i = 0; i < 2; ++i) {
      const uint32_t host = tunnel.ends[i].address.address.v4_host_order();
      const std::string what = tunnel.ends[i].address.address.to_string();
      if ((host & ~mask) == 0)
        sink.error(address_at[i].mark, address_at[i].path, what + " is the network address of " + a.subnet().to_string());
      else if ((host & ~mask) == ~mask)
        sink.error(address_at[i].mark, address_at[i].path,
                   what + " is the broadcast address of " + a.subnet().to_string());
    }
  }
}

std::optional<Tunnel> read_tunnel(ErrorSink& sink, const NamedEntry& entry, const ReferenceIndex& index,
                                  const std::vector<std::string>& underlays) {
  MapReader map(sink, entry.value, {"description", "kind", "underlay", "ends", "mtu"});
  if (!map.valid()) return std::nullopt;
  const size_t errors_before = sink.count();
  Tunnel tunnel;
  tunnel.name = entry.name;
  if (auto v = map.get("description")) {
    if (auto text = read_string(sink, *v)) tunnel.description = *text;
  }
  if (auto v = map.get("kind")) {
    if (auto text = read_choice(sink, *v, {"wireguard", "ipsec", "circuit"}))
      tunnel.kind = *text == "wireguard" ? TunnelKind::wireguard
                    : *text == "ipsec"   ? TunnelKind::ipsec
                                         : TunnelKind::circuit;
  }
  if (auto v = map.require("underlay")) {
    if (auto name = read_name(sink, *v)) {
      tunnel.underlay = *name;
      if (std::find(underlays.begin(), underlays.end(), *name) == underlays.end())
        sink.error(v->mark, v->path, "no underlay named '" + *name + "'" + did_you_mean(*name, underlays));
    }
  }
  if (auto v = map.get("mtu")) {
    if (auto n = read_uint(sink, *v, 576, 65535, "bytes")) tunnel.mtu = static_cast<uint32_t>(*n);
  }
  if (auto v = map.require("ends")) {
    std::vector<Located> ends = read_list(sink, *v);
    if (ends.size() != 2 && (v->node.IsSequence() || v->is_null())) {
      sink.error(v->mark, v->path,
                 "a tunnel has exactly two ends ({router, address}), got " + std::to_string(ends.size()));
    } else if (ends.size() == 2) {
      std::array<Located, 2> address_at;
      for (size_t i = 0; i < 2; ++i) {
        MapReader end_map(sink, ends[i], {"router", "address", "interface"});
        TunnelEnd& end = tunnel.ends[i];
        if (auto r = end_map.require("router")) {
          if (auto name = read_name(sink, *r)) {
            end.router = *name;
            auto found = index.nodes.find(*name);
            if (found == index.nodes.end())
              sink.error(r->mark, r->path,
                         "no router named '" + *name + "'" + did_you_mean(*name, index.names_of(NodeKind::router)));
            else if (found->second != NodeKind::router)
              sink.error(r->mark, r->path,
                         *name + " is a " + node_kind_name(found->second) + "; tunnels end on routers");
            else if (i == 1 && end.router == tunnel.ends[0].router)
              sink.error(r->mark, r->path, "both ends are on " + *name);
          }
        }
        if (auto a = end_map.require("address")) {
          address_at[i] = *a;
          if (auto address = read_interface_address(sink, *a)) end.address = *address;
        }
        if (auto f = end_map.get("interface")) {
          if (auto name = read_interface_name(sink, *f)) end.interface = *name;
        } else if (valid_interface_name(tunnel.name)) {
          end.interface = tunnel.name;
        } else if (end_map.valid()) {
          sink.error(ends[i].mark, ends[i].path,
                     "the tunnel's name is not usable as an interface name (1 to 15 letters, digits, '-', '_', '.'); "
                     "set 'interface'");
        }
      }
      if (sink.count() == errors_before) check_tunnel_addressing(sink, tunnel, address_at);
    }
  }
  if (sink.count() != errors_before) return std::nullopt;
  return tunnel;
}

// Two tunnels on one router must not share an interface name or overlap in
// address space: the kernel could not tell which one a next hop is behind.
void check_tunnels_of_router(ErrorSink& sink, const Tunnel& tunnel, const Located& where,
                             const std::vector<Tunnel>& earlier) {
  for (const Tunnel& other : earlier) {
    for (const TunnelEnd& mine : tunnel.ends) {
      const TunnelEnd* theirs = other.end_at(mine.router);
      if (!theirs) continue;
      if (theirs->interface == mine.interface)
        sink.error(where.mark, where.path,
                   "interface " + mine.interface + " on " + mine.router + " is also used by tunnel " + other.name);
      const Prefix a = mine.address.subnet(), b = theirs->address.subnet();
      if (a.family() == b.family() && (a.contains(b) || b.contains(a)))
        sink.error(where.mark, where.path,
                   mine.address.to_string() + " on " + mine.router + " overlaps " + theirs->address.to_string() +
                       " of tunnel " + other.name);
    }
  }
}

std::vector<std::string> read_name_list(ErrorSink& sink, const Located& where, const ReferenceIndex& index,
                                        std::initializer_list<NodeKind> kinds, const std::string& what) {
  std::vector<std::string> out;
  for (const Located& element : read_list(sink, where, /*allow_scalar=*/true)) {
    auto name = read_name(sink, element);
    if (!name) continue;
    auto found = index.nodes.find(*name);
    const bool kind_ok =
        found != index.nodes.end() && std::find(kinds.begin(), kinds.end(), found->second) != kinds.end();
    if (!kind_ok) {
      std::vector<std::string> candidates;
      for (NodeKind k : kinds)
        for (const std::string& n : index.names_of(k)) candidates.push_back(n);
      sink.error(element.mark, element.path, "no " + what + " named '" + *name + "'" + did_you_mean(*name, candidates));
      continue;
    }
    out.push_back(*name);
  }
  return out;
}

std::optional<Device> read_device(ErrorSink& sink, const NamedEntry& entry, const ReferenceIndex& index) {
  MapReader map(sink, entry.value, {"description", "kind", "site", "stateful", "inside", "outside", "static_routes"});
  if (!map.valid()) return std::nullopt;
  const size_t errors_before = sink.count();
  Device device;
  device.name = entry.name;
  if (auto v = map.get("description")) {
    if (auto text = read_string(sink, *v)) device.description = *text;
  }
  if (auto v = map.require("kind")) {
    static const std::vector<std::string> kinds = {"firewall", "nat", "load-balancer", "switch"};
    if (auto text = read_choice(sink, *v, kinds))
      device.kind = static_cast<DeviceKind>(std::find(kinds.begin(), kinds.end(), *text) - kinds.begin());
  }
  device.stateful = device.kind != DeviceKind::switch_;
  if (auto v = map.get("stateful")) {
    if (auto b = read_bool(sink, *v)) device.stateful = *b;
  }
  if (auto v = map.require("site")) {
    if (auto site = read_name(sink, *v)) {
      device.site = *site;
      if (std::find(index.sites.begin(), index.sites.end(), *site) == index.sites.end())
        sink.error(v->mark, v->path, "no site named '" + *site + "'" + did_you_mean(*site, index.sites));
    }
  }
  if (auto v = map.get("inside"))
    device.inside = read_name_list(sink, *v, index, {NodeKind::host, NodeKind::device}, "host or device");
  if (auto v = map.require("outside")) {
    device.outside = read_name_list(sink, *v, index, {NodeKind::router, NodeKind::device}, "router or device");
    if (device.outside.empty() && sink.count() == errors_before)
      sink.error(v->mark, v->path, "name the routers (or devices) on the tunnel side of " + device.name);
  }
  for (const std::string& name : device.inside)
    if (name == device.name) sink.error(entry.value.mark, entry.value.path + ".inside", "a device cannot be inside itself");
  for (const std::string& name : device.outside)
    if (name == device.name) sink.error(entry.value.mark, entry.value.path + ".outside", "a device cannot be outside itself");
  if (auto v = map.get("static_routes")) device.static_routes = read_static_routes(sink, *v, index);
  if (sink.count() != errors_before) return std::nullopt;
  return device;
}

std::optional<Host> read_host(ErrorSink& sink, const NamedEntry& entry, const ReferenceIndex& index,
                              const std::vector<Site>& sites) {
  MapReader map(sink, entry.value, {"description", "site", "address"});
  if (!map.valid()) return std::nullopt;
  const size_t errors_before = sink.count();
  Host host;
  host.name = entry.name;
  if (auto v = map.get("description")) {
    if (auto text = read_string(sink, *v)) host.description = *text;
  }
  const Site* site = nullptr;
  if (auto v = map.require("site")) {
    if (auto name = read_name(sink, *v)) {
      host.site = *name;
      for (const Site& s : sites)
        if (s.name == *name) site = &s;
      if (std::find(index.sites.begin(), index.sites.end(), *name) == index.sites.end())
        sink.error(v->mark, v->path, "no site named '" + *name + "'" + did_you_mean(*name, index.sites));
    }
  }
  if (auto v = map.get("address")) {
    if (auto address = read_address(sink, *v)) {
      host.address = *address;
      if (site && std::none_of(site->prefixes.begin(), site->prefixes.end(),
                               [&](const Prefix& p) { return p.contains(*address); }))
        sink.error(v->mark, v->path, address->to_string() + " is outside the prefixes of site " + site->name);
    }
  }
  if (sink.count() != errors_before) return std::nullopt;
  return host;
}

// Reads local_as of every router before the routers themselves, so that a
// neighbour can take (or be checked against) the AS at the far end of its tunnel.
std::map<std::string, uint32_t> peek_local_as(const std::vector<NamedEntry>& routers) {
  std::map<std::string, uint32_t> out;
  ErrorSink quiet("");
  for (const NamedEntry& entry : routers) {
    Located at = key_value(entry.value, "local_as");
    if (!at.node.IsDefined() || at.node.IsNull()) continue;
    if (auto asn = read_asn(quiet, at)) out[entry.name] = *asn;
  }
  return out;
}

// Sites and LAN addresses of every router, read ahead for the same reason:
// an iBGP neighbour is checked against its sibling's LAN address.
void peek_lan_addresses(const std::vector<NamedEntry>& routers, ReferenceIndex& index) {
  ErrorSink quiet("");
  for (const NamedEntry& entry : routers) {
    Located site = key_value(entry.value, "site");
    if (site.node.IsDefined() && site.node.IsScalar()) index.site_of[entry.name] = site.node.Scalar();
    Located at = key_value(entry.value, "lan_address");
    if (!at.node.IsDefined() || at.node.IsNull()) continue;
    if (auto address = read_interface_address(quiet, at)) index.lan_address[entry.name] = address->address;
  }
}

// A router's LAN address lies in its site and belongs to no other router.
void check_lan_address(ErrorSink& sink, const RouterConfig& router, const Located& where, const Topology& topology) {
  if (!router.lan_address) return;
  const Located at = key_value(where, "lan_address");
  const IpAddress& address = router.lan_address->address;
  if (const Site* site = topology.find_site(router.site)) {
    if (std::none_of(site->prefixes.begin(), site->prefixes.end(), [&](const Prefix& p) { return p.contains(address); }))
      sink.error(at.mark, at.path, address.to_string() + " is outside the prefixes of site " + site->name);
  }
  for (const RouterConfig& other : topology.routers)
    if (other.lan_address && other.lan_address->address == address)
      sink.error(at.mark, at.path, address.to_string() + " is also the lan_address of " + other.name);
}

std::optional<Topology> read_topology(ErrorSink& sink, const Located& root, const std::string& base_dir) {
  MapReader top(sink, root, topology_keys);
  if (!top.valid()) return std::nullopt;
  Topology topology;
  auto section = [&](const char* key, bool required) {
    auto v = required ? top.require(key) : top.get(key);
    return v ? *v : Located{YAML::Node(), root.mark, key};
  };
  if (auto v = top.get("name")) {
    if (auto name = read_name(sink, *v)) topology.name = *name;
  }
  if (auto v = top.get("description")) {
    if (auto text = read_string(sink, *v)) topology.description = *text;
  }
  const std::vector<NamedEntry> sites = read_named_map(sink, section("sites", true), "site");
  const std::vector<NamedEntry> underlays = read_named_map(sink, section("underlays", false), "underlay");
  const std::vector<NamedEntry> routers = read_named_map(sink, section("routers", true), "router");
  const std::vector<NamedEntry> tunnels = read_named_map(sink, section("tunnels", false), "tunnel");
  const std::vector<NamedEntry> devices = read_named_map(sink, section("devices", false), "device");
  const std::vector<NamedEntry> hosts = read_named_map(sink, section("hosts", false), "host");

  ReferenceIndex index;
  index.whole_topology = true;
  index.base_dir = base_dir;
  for (const NamedEntry& e : sites) index.sites.push_back(e.name);
  // Routers, devices, hosts, tunnels and underlays share one name space:
  // static routes, `inside`/`outside` and reports name them without a kind.
  std::map<std::string, std::pair<std::string, int>> used;  // name → (kind, line)
  std::vector<std::string> underlay_names;
  auto claim = [&](const std::vector<NamedEntry>& entries, const char* kind, std::optional<NodeKind> node_kind) {
    for (const NamedEntry& e : entries) {
      auto [it, fresh] = used.emplace(e.name, std::make_pair(std::string(kind), e.name_mark.line + 1));
      if (!fresh) {
        sink.error(e.name_mark, e.value.path,
                   "the name '" + e.name + "' is already used by " + it->second.first + " " + e.name + " (line " +
                       std::to_string(it->second.second) + ")");
        continue;
      }
      if (node_kind) index.nodes[e.name] = *node_kind;
      else underlay_names.push_back(e.name);
    }
  };
  claim(routers, "router", NodeKind::router);
  claim(devices, "device", NodeKind::device);
  claim(hosts, "host", NodeKind::host);
  claim(tunnels, "tunnel", NodeKind::tunnel);
  claim(underlays, "underlay", std::nullopt);

  for (const NamedEntry& e : sites) {
    auto site = read_site(sink, e);
    if (!site) continue;
    for (const Prefix& mine : site->prefixes)
      for (const Site& other : topology.sites)
        for (const Prefix& theirs : other.prefixes)
          if (mine.family() == theirs.family() && (mine.contains(theirs) || theirs.contains(mine)))
            sink.error(e.value.mark, e.value.path + ".prefixes",
                       mine.to_string() + " overlaps " + theirs.to_string() + " of site " + other.name);
    topology.sites.push_back(std::move(*site));
  }
  for (const NamedEntry& e : underlays)
    if (auto underlay = read_underlay(sink, e)) topology.underlays.push_back(std::move(*underlay));

  for (const NamedEntry& e : tunnels) {
    auto tunnel = read_tunnel(sink, e, index, underlay_names);
    if (!tunnel) continue;
    check_tunnels_of_router(sink, *tunnel, e.value, index.tunnels);
    index.tunnels.push_back(*tunnel);
    topology.tunnels.push_back(std::move(*tunnel));
  }

  index.local_as = peek_local_as(routers);
  peek_lan_addresses(routers, index);
  std::map<IpAddress, std::string> router_ids;
  for (const NamedEntry& e : routers) {
    auto router = read_router(sink, e.value, e.name, index);
    if (!router) continue;
    if (!router->router_id.is_unspecified()) {
      auto [it, fresh] = router_ids.emplace(router->router_id, router->name);
      if (!fresh) {
        Located at = key_value(e.value, "router_id");
        sink.error(at.mark, at.path,
                   router->router_id.to_string() + " is also the router_id of " + it->second +
                       " (a BGP speaker refuses a peer with its own identifier, RFC 4271 §6.2)");
      }
    }
    check_lan_address(sink, *router, e.value, topology);
    topology.routers.push_back(std::move(*router));
  }

  for (const NamedEntry& e : devices) {
    auto device = read_device(sink, e, index);
    if (!device) continue;
    for (size_t i = 0; i < device->outside.size(); ++i) {
      const RouterConfig* router = topology.find_router(device->outside[i]);
      if (router && !router->site.empty() && router->site != device->site) {
        Located at = key_value(e.value, "outside");
        sink.error(at.mark, at.path,
                   router->name + " is in site " + router->site + ", " + device->name + " in site " + device->site);
      }
    }
    topology.devices.push_back(std::move(*device));
  }
  for (const NamedEntry& e : hosts)
    if (auto host = read_host(sink, e, index, topology.sites)) topology.hosts.push_back(std::move(*host));

  if (sink.failed()) return std::nullopt;
  return topology;
}

// Parses YAML text; a syntax error becomes a diagnostic.
std::optional<YAML::Node> parse_yaml(ErrorSink& sink, std::string_view text) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    sink.error(e.mark, "", "YAML syntax error: " + e.msg);
    return std::nullopt;
  }
}

Located root_of(const YAML::Node& node) {
  YAML::Mark start;
  start.line = 0;
  start.column = 0;
  return Located{node, start, ""};
}

std::string stem_of(const std::string& path) { return std::filesystem::path(path).stem().string(); }

std::string folder_of(const std::string& path) {
  std::string folder = std::filesystem::path(path).parent_path().string();
  return folder.empty() ? "." : folder;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path + ": cannot read: " + std::strerror(errno)};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TopologyLoad load_topology_detailed(std::string_view text, const std::string& source_name, const std::string& base_dir) {
  TopologyLoad out;
  ErrorSink sink(source_name);
  try {
    if (auto root = parse_yaml(sink, text)) {
      out.topology = read_topology(sink, root_of(*root), base_dir);
      if (out.topology) {
        out.topology->source_file = source_name;
        if (out.topology->name.empty()) out.topology->name = stem_of(source_name);
      }
    }
  } catch (const YAML::Exception& e) {  // defensive: node access never should throw here
    sink.error(e.mark, "", e.msg);
    out.topology.reset();
  }
  out.errors = sink.diagnostics();
  if (!out.errors.empty()) out.topology.reset();
  return out;
}

Result<Topology> load_topology_string(std::string_view text, const std::string& source_name,
                                      const std::string& base_dir) {
  TopologyLoad load = load_topology_detailed(text, source_name, base_dir);
  if (!load.topology) return Error{format_diagnostics(load.errors)};
  return std::move(*load.topology);
}

Result<Topology> load_topology(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  return load_topology_string(*text, path, folder_of(path));
}

Result<RouterConfig> load_router_string(std::string_view text, const std::string& node_name,
                                        const std::string& source_name, const std::string& base_dir) {
  ErrorSink sink(source_name);
  std::optional<YAML::Node> root;
  try {
    root = parse_yaml(sink, text);
  } catch (const YAML::Exception& e) {
    sink.error(e.mark, "", e.msg);
  }
  if (!root) return Error{format_diagnostics(sink.diagnostics())};

  bool whole_topology = false;
  if (root->IsMap())
    for (const auto& pair : *root)
      if (pair.first.IsScalar() && pair.first.Scalar() == "routers") whole_topology = true;
  if (whole_topology) {
    auto topology = load_topology_string(text, source_name, base_dir);
    if (!topology) return topology.error();
    std::vector<std::string> names;
    for (const RouterConfig& r : topology->routers) names.push_back(r.name);
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    if (node_name.empty())
      return Error{source_name + ": this file describes a whole topology; name the router (--node), one of: " + list};
    const RouterConfig* router = topology->find_router(node_name);
    if (!router) {
      auto guess = closest_match(node_name, names);
      return Error{source_name + ": no router named '" + node_name + "'" +
                   (guess ? " (did you mean '" + *guess + "'?)" : "") + "; routers: " + list};
    }
    return *router;
  }

  ReferenceIndex index;  // a section on its own: nothing to refer to
  index.base_dir = base_dir;
  const std::string name = node_name.empty() ? stem_of(source_name) : node_name;
  std::optional<RouterConfig> router;
  try {
    router = read_router(sink, root_of(*root), name, index);
  } catch (const YAML::Exception& e) {
    sink.error(e.mark, "", e.msg);
  }
  if (!router || sink.failed()) return Error{format_diagnostics(sink.diagnostics())};
  return std::move(*router);
}

Result<RouterConfig> load_router(const std::string& path, const std::string& node_name) {
  auto text = read_file(path);
  if (!text) return text.error();
  return load_router_string(*text, node_name, path, folder_of(path));
}

}  // namespace halink::config
