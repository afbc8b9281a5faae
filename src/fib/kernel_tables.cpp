#include "fib/kernel_tables.h"

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>

#include "fib/netlink_socket.h"

namespace halink::fib {
namespace {

// Attributes of one message, indexed by type; types above `max` are ignored.
struct Attributes {
  std::vector<const nlattr*> by_type;
  explicit Attributes(size_t max) : by_type(max + 1, nullptr) {}
  const nlattr* operator[](size_t type) const { return type < by_type.size() ? by_type[type] : nullptr; }
};

int collect_attribute(const nlattr* attribute, void* data) {
  auto* attributes = static_cast<Attributes*>(data);
  uint16_t type = mnl_attr_get_type(attribute);
  if (type < attributes->by_type.size()) attributes->by_type[type] = attribute;
  return MNL_CB_OK;
}

Attributes parse(const nlmsghdr* message, size_t header_size, size_t max) {
  Attributes attributes(max);
  mnl_attr_parse(message, unsigned(header_size), collect_attribute, &attributes);
  return attributes;
}

IpAddress address_of(const nlattr* attribute, int family) {
  const auto* bytes = static_cast<const uint8_t*>(mnl_attr_get_payload(attribute));
  size_t length = mnl_attr_get_payload_len(attribute);
  if (family == AF_INET && length >= 4) return IpAddress::from_bytes(Family::ipv4, {bytes, 4});
  if (family == AF_INET6 && length >= 16) return IpAddress::from_bytes(Family::ipv6, {bytes, 16});
  return IpAddress();
}

// RTA_VIA (RFC 8950 routes: IPv4 prefix over an IPv6 gateway) holds a family
// and an address.
IpAddress via_address(const nlattr* attribute) {
  const auto* via = static_cast<const rtvia*>(mnl_attr_get_payload(attribute));
  size_t length = mnl_attr_get_payload_len(attribute);
  if (via->rtvia_family == AF_INET6 && length >= sizeof(rtvia) + 16)
    return IpAddress::from_bytes(Family::ipv6, {via->rtvia_addr, 16});
  if (via->rtvia_family == AF_INET && length >= sizeof(rtvia) + 4)
    return IpAddress::from_bytes(Family::ipv4, {via->rtvia_addr, 4});
  return IpAddress();
}

void read_multipath(const nlattr* multipath, int family, std::vector<NextHop>& out) {
  const auto* data = static_cast<const char*>(mnl_attr_get_payload(multipath));
  size_t length = mnl_attr_get_payload_len(multipath);
  size_t offset = 0;
  while (offset + sizeof(rtnexthop) <= length) {
    const auto* hop = reinterpret_cast<const rtnexthop*>(data + offset);
    if (hop->rtnh_len < sizeof(rtnexthop) || offset + hop->rtnh_len > length) break;
    NextHop next_hop;
    next_hop.ifindex = uint32_t(hop->rtnh_ifindex);
    next_hop.weight = uint16_t(hop->rtnh_hops + 1);
    size_t attribute_offset = offset + RTNH_ALIGN(sizeof(rtnexthop));
    while (attribute_offset + sizeof(nlattr) <= offset + hop->rtnh_len) {
      const auto* attribute = reinterpret_cast<const nlattr*>(data + attribute_offset);
      if (attribute->nla_len < sizeof(nlattr)) break;
      if (mnl_attr_get_type(attribute) == RTA_GATEWAY) next_hop.gateway = address_of(attribute, family);
      if (mnl_attr_get_type(attribute) == RTA_VIA) next_hop.gateway = via_address(attribute);
      attribute_offset += NLA_ALIGN(attribute->nla_len);
    }
    out.push_back(std::move(next_hop));
    offset += RTNH_ALIGN(hop->rtnh_len);
  }
}

}  // namespace

Result<std::vector<KernelRoute>> dump_routes(NetlinkSocket& socket) {
  std::vector<KernelRoute> routes;
  Status status = socket.dump(
      RTM_GETROUTE, sizeof(rtmsg), [](void* header) { static_cast<rtmsg*>(header)->rtm_family = AF_UNSPEC; },
      [&](const nlmsghdr* message) {
        if (message->nlmsg_type != RTM_NEWROUTE) return;
        const auto* route = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(message));
        if (route->rtm_family != AF_INET && route->rtm_family != AF_INET6) return;
        Attributes attributes = parse(message, sizeof(rtmsg), RTA_MAX);
        KernelRoute result;
        Family family = route->rtm_family == AF_INET ? Family::ipv4 : Family::ipv6;
        IpAddress destination = attributes[RTA_DST] ? address_of(attributes[RTA_DST], route->rtm_family)
                                                    : IpAddress::from_bytes(family, std::array<uint8_t, 16>{});
        result.prefix = Prefix::make_masked(destination, route->rtm_dst_len);
        result.table = attributes[RTA_TABLE] ? mnl_attr_get_u32(attributes[RTA_TABLE]) : route->rtm_table;
        result.protocol = route->rtm_protocol;
        result.type = route->rtm_type;
        if (attributes[RTA_PRIORITY]) result.metric = mnl_attr_get_u32(attributes[RTA_PRIORITY]);
        if (attributes[RTA_NH_ID]) result.nexthop_id = mnl_attr_get_u32(attributes[RTA_NH_ID]);
        if (attributes[RTA_MULTIPATH]) {
          read_multipath(attributes[RTA_MULTIPATH], route->rtm_family, result.next_hops);
        } else if (attributes[RTA_OIF] || attributes[RTA_GATEWAY] || attributes[RTA_VIA]) {
          NextHop next_hop;
          if (attributes[RTA_OIF]) next_hop.ifindex = mnl_attr_get_u32(attributes[RTA_OIF]);
          if (attributes[RTA_GATEWAY]) next_hop.gateway = address_of(attributes[RTA_GATEWAY], route->rtm_family);
          if (attributes[RTA_VIA]) next_hop.gateway = via_address(attributes[RTA_VIA]);
          result.next_hops.push_back(std::move(next_hop));
        }
        routes.push_back(std::move(result));
      });
  if (!status) return status.error();
  return routes;
}

Result<std::vector<KernelNextHop>> dump_next_hops(NetlinkSocket& socket) {
  std::vector<KernelNextHop> next_hops;
  Status status = socket.dump(
      RTM_GETNEXTHOP, sizeof(nhmsg), [](void* header) { static_cast<nhmsg*>(header)->nh_family = AF_UNSPEC; },
      [&](const nlmsghdr* message) {
        if (message->nlmsg_type != RTM_NEWNEXTHOP) return;
        const auto* header = static_cast<const nhmsg*>(mnl_nlmsg_get_payload(message));
        Attributes attributes = parse(message, sizeof(nhmsg), NHA_MAX);
        KernelNextHop result;
        result.protocol = header->nh_protocol;
        if (attributes[NHA_ID]) result.id = mnl_attr_get_u32(attributes[NHA_ID]);
        if (attributes[NHA_OIF]) result.ifindex = mnl_attr_get_u32(attributes[NHA_OIF]);
        if (attributes[NHA_GATEWAY]) result.gateway = address_of(attributes[NHA_GATEWAY], header->nh_family);
        result.blackhole = attributes[NHA_BLACKHOLE] != nullptr;
        if (const nlattr* group = attributes[NHA_GROUP]) {
          const auto* members = static_cast<const nexthop_grp*>(mnl_attr_get_payload(group));
          size_t count = mnl_attr_get_payload_len(group) / sizeof(nexthop_grp);
          for (size_t i = 0; i < count; ++i) result.group.push_back({members[i].id, uint16_t(members[i].weight + 1)});
        }
        next_hops.push_back(std::move(result));
      });
  if (!status) return status.error();
  return next_hops;
}

Result<std::map<std::string, uint32_t>> dump_interfaces(NetlinkSocket& socket) {
  std::map<std::string, uint32_t> interfaces;
  Status status = socket.dump(
      RTM_GETLINK, sizeof(ifinfomsg), [](void* header) { static_cast<ifinfomsg*>(header)->ifi_family = AF_UNSPEC; },
      [&](const nlmsghdr* message) {
        if (message->nlmsg_type != RTM_NEWLINK) return;
        const auto* header = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(message));
        Attributes attributes = parse(message, sizeof(ifinfomsg), IFLA_MAX);
        if (attributes[IFLA_IFNAME])
          interfaces[mnl_attr_get_str(attributes[IFLA_IFNAME])] = uint32_t(header->ifi_index);
      });
  if (!status) return status.error();
  return interfaces;
}

}  // namespace halink::fib
