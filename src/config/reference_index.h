// What a section may refer to by name while it is being read: the names of
// everything in the topology, the tunnels already read, other routers' AS.
// A router read on its own (a file holding only its section) has an empty
// index: tunnel names are then labels, and addresses must be written out.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/topology.h"

namespace halink::config {

struct ReferenceIndex {
  bool whole_topology = false;
  std::string base_dir;  // relative file paths (keys, sockets) are resolved against it
  std::vector<std::string> sites;
  std::map<std::string, NodeKind> nodes;  // routers, devices, hosts and tunnels by name
  std::vector<Tunnel> tunnels;
  std::map<std::string, uint32_t> local_as;  // routers whose local_as is valid
  // Routers' sites and LAN addresses (those that parse), so that an iBGP
  // neighbour can be checked to be a sibling on the site's LAN.
  std::map<std::string, std::string> site_of;
  std::map<std::string, IpAddress> lan_address;

  std::vector<std::string> names_of(NodeKind kind) const {
    std::vector<std::string> out;
    for (const auto& [name, k] : nodes)
      if (k == kind) out.push_back(name);
    return out;
  }
  const Tunnel* find_tunnel(const std::string& name) const {
    for (const Tunnel& t : tunnels)
      if (t.name == name) return &t;
    return nullptr;
  }
  // "a/b.key" relative to the config file's folder; absolute paths unchanged.
  std::string resolve_path(const std::string& path) const {
    if (path.empty() || path.front() == '/' || base_dir.empty()) return path;
    return base_dir + "/" + path;
  }
};

}  // namespace halink::config
