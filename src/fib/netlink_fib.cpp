#include "fib/netlink_fib.h"

#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace halink::fib {
namespace {

int address_family(Family family) { return family == Family::ipv4 ? AF_INET : AF_INET6; }

void put_address(nlmsghdr* message, uint16_t type, const IpAddress& address) {
  mnl_attr_put(message, type, address.bytes().size(), address.bytes().data());
}

// RTA_GATEWAY for a gateway of the route's own family; RTA_VIA for an IPv6
// gateway of an IPv4 route (RFC 8950).
void put_gateway(nlmsghdr* message, Family route_family, const IpAddress& gateway) {
  if (gateway.is_unspecified()) return;
  if (gateway.family() == route_family) {
    put_address(message, RTA_GATEWAY, gateway);
    return;
  }
  char buffer[sizeof(rtvia) + 16];
  auto* via = reinterpret_cast<rtvia*>(buffer);
  via->rtvia_family = __kernel_sa_family_t(address_family(gateway.family()));
  std::copy(gateway.bytes().begin(), gateway.bytes().end(), reinterpret_cast<uint8_t*>(via->rtvia_addr));
  mnl_attr_put(message, RTA_VIA, sizeof(rtvia) + gateway.bytes().size(), buffer);
}

bool is_not_found(int error) { return error == ENOENT || error == ESRCH; }

}  // namespace

NetlinkFib::NetlinkFib(const NetlinkFibOptions& options, std::unique_ptr<NetlinkSocket> socket)
    : options_(options), socket_(std::move(socket)), planner_(options.first_object_id, options.repoint_routes_up_to),
      nexthop_objects_(options.use_nexthop_objects) {}

Result<std::unique_ptr<NetlinkFib>> NetlinkFib::open(const NetlinkFibOptions& options) {
  auto socket = NetlinkSocket::open();
  if (!socket) return socket.error();
  std::unique_ptr<NetlinkFib> fib(new NetlinkFib(options, std::move(*socket)));
  fib->cleanup_.nexthop_objects = fib->nexthop_objects_;
  if (!fib->nexthop_objects_) fib->cleanup_.fallback_reason = "nexthop objects disabled by configuration";
  if (Status status = fib->refresh_interfaces(); !status) return status.error();
  if (Status status = fib->remove_stale_state(); !status) return status.error();
  return fib;
}

NetlinkFib::~NetlinkFib() {
  if (!options_.keep_routes_on_exit) (void)withdraw_all();
}

// Our routes first (those using our groups would also go with the groups,
// but RTA_MULTIPATH routes of an earlier fallback run would not), then our
// groups, then our plain nexthops.
Status NetlinkFib::remove_stale_state() {
  auto next_hops = dump_next_hops(*socket_);
  if (!next_hops && nexthop_objects_) {
    // Kernels without nexthop objects refuse RTM_GETNEXTHOP (EOPNOTSUPP).
    nexthop_objects_ = false;
    cleanup_.nexthop_objects = false;
    cleanup_.fallback_reason = "kernel has no nexthop objects (" + next_hops.message() + ")";
  }
  if (!options_.remove_stale_at_start) return Status::success();
  auto routes = dump_routes(*socket_);
  if (!routes) return Error{"reading kernel routes: " + routes.message()};
  for (const KernelRoute& route : *routes) {
    if (route.protocol != options_.protocol || route.table != options_.table) continue;
    emit_route_delete(route.prefix, route.metric);
    ++cleanup_.routes_removed;
  }
  if (next_hops) {
    for (bool groups : {true, false}) {
      for (const KernelNextHop& next_hop : *next_hops) {
        if (next_hop.protocol != options_.protocol || next_hop.group.empty() != !groups) continue;
        emit_object_delete(groups ? Subject::Kind::group : Subject::Kind::next_hop, next_hop.id);
        ++cleanup_.next_hops_removed;
      }
    }
  }
  // A stale object that is already gone is fine; anything else is reported.
  std::vector<RequestError> errors = socket_->flush();
  std::string problems;
  for (const RequestError& error : errors) {
    if (is_not_found(error.error)) continue;
    problems += (problems.empty() ? "" : "; ") + describe(subjects_.at(error.index)) + ": " + error.message;
  }
  subjects_.clear();
  if (!problems.empty()) return Error{"removing stale state: " + problems};
  return Status::success();
}

Status NetlinkFib::refresh_interfaces() {
  auto interfaces = dump_interfaces(*socket_);
  if (!interfaces) return Error{"reading interfaces: " + interfaces.message()};
  // Names of interfaces that went away stay known, so that their next hops
  // can still be named when they are removed.
  for (const auto& [name, index] : *interfaces) {
    interface_index_[name] = index;
    interface_name_[index] = name;
  }
  return Status::success();
}

Result<NextHop> NetlinkFib::resolve(const NextHop& next_hop) const {
  NextHop resolved = next_hop;
  if (resolved.ifindex == 0) {
    auto it = interface_index_.find(resolved.interface);
    if (it == interface_index_.end()) return Error{"interface " + resolved.interface + " does not exist"};
    resolved.ifindex = it->second;
  } else if (resolved.interface.empty()) {
    if (auto it = interface_name_.find(resolved.ifindex); it != interface_name_.end()) resolved.interface = it->second;
  }
  return resolved;
}

Status NetlinkFib::apply(std::span<const RouteChange> changes) {
  if (Status status = refresh_interfaces(); !status) return status;
  // Names are resolved once per distinct next-hop list, inside the planner,
  // so a million routes are not copied to fill in four ifindexes.
  NextHopGroups::Resolver resolver = [this](const std::vector<NextHop>& next_hops) -> Result<std::vector<NextHop>> {
    std::vector<NextHop> resolved;
    resolved.reserve(next_hops.size());
    for (const NextHop& next_hop : next_hops) {
      auto path = resolve(next_hop);
      if (!path) return path.error();
      resolved.push_back(std::move(*path));
    }
    return resolved;
  };
  Plan plan = planner_.apply(changes, resolver);
  // A newer change for a prefix replaces an older refused one; what the
  // planner refuses now is kept to be tried again.
  for (const RouteChange& change : changes) refused_changes_.erase(change.prefix);
  for (const PlanError& error : plan.errors) {
    auto latest = std::find_if(changes.rbegin(), changes.rend(),
                               [&](const RouteChange& c) { return c.prefix == error.prefix; });
    if (latest != changes.rend()) refused_changes_[error.prefix] = Refused{*latest, error.message};
  }
  return execute(plan);
}

Status NetlinkFib::remove_next_hop(const NextHop& dead) {
  // The interface may be named, indexed or both; match what was given.
  std::vector<NextHop> targets;
  for (ObjectId id : planner_.next_hop_ids()) {
    const NextHop& known = *planner_.next_hop(id);
    if (known.gateway != dead.gateway) continue;
    if (dead.ifindex != 0 && known.ifindex != dead.ifindex) continue;
    if (!dead.interface.empty() && known.interface != dead.interface) continue;
    targets.push_back(known);
  }
  Plan combined;
  for (const NextHop& target : targets) {
    Plan plan = planner_.remove_next_hop(target);
    std::move(plan.operations.begin(), plan.operations.end(), std::back_inserter(combined.operations));
  }
  return execute_removal(combined);
}

Status NetlinkFib::remove_next_hops_via(const std::string& interface) {
  // By name and by the index it had: a deleted interface is no longer listed.
  uint32_t ifindex = 0;
  if (auto it = interface_index_.find(interface); it != interface_index_.end()) ifindex = it->second;
  return execute_removal(planner_.remove_next_hops_via(interface, ifindex));
}

Status NetlinkFib::execute_removal(const Plan& plan) {
  for (const FibOperation& operation : plan.operations)
    if (auto* removal = std::get_if<DeleteGroup>(&operation))
      counters_.routes_lost_with_last_next_hop += removal->routes_removed.size();
  return execute(plan);
}

Status NetlinkFib::merge_duplicate_groups(size_t max_routes) {
  return execute(planner_.merge_duplicate_groups(max_routes));
}

Status NetlinkFib::withdraw_all() {
  Plan plan = planner_.withdraw_all();
  failed_next_hops_.clear();
  failed_groups_.clear();
  failed_routes_.clear();
  refused_changes_.clear();
  return execute(plan);
}

Status NetlinkFib::retry_failed() {
  if (Status status = refresh_interfaces(); !status) return status;
  std::map<ObjectId, std::string> next_hops, groups;
  std::map<Prefix, std::string> routes;
  next_hops.swap(failed_next_hops_);
  groups.swap(failed_groups_);
  routes.swap(failed_routes_);
  // Each object is brought to what the model says now, in dependency order.
  for (const auto& [id, reason] : next_hops)
    if (const NextHop* next_hop = planner_.next_hop(id)) emit_next_hop(id, *next_hop);
  for (const auto& [id, reason] : groups)
    if (const auto* members = planner_.members(id)) emit_group(id, *members);
  for (const auto& [prefix, reason] : routes) {
    if (auto group = planner_.group_of(prefix))
      emit_route(prefix, *group);
    else
      emit_route_delete(prefix, options_.metric);
  }
  for (const auto& [id, reason] : groups)
    if (!planner_.members(id)) emit_object_delete(Subject::Kind::group, id);
  for (const auto& [id, reason] : next_hops)
    if (!planner_.next_hop(id)) emit_object_delete(Subject::Kind::next_hop, id);
  Status written = collect_outcome({});
  // Changes the planner refused, planned again (their interface may exist now).
  if (refused_changes_.empty()) return written;
  std::vector<RouteChange> again;
  for (auto& [prefix, refused] : refused_changes_) again.push_back(refused.change);
  Status replanned = apply(again);
  return written ? replanned : written;
}

std::vector<std::string> NetlinkFib::not_installed() const {
  std::vector<std::string> out;
  for (const auto& [id, reason] : failed_next_hops_) out.push_back("nexthop " + std::to_string(id) + ": " + reason);
  for (const auto& [id, reason] : failed_groups_) out.push_back("nexthop group " + std::to_string(id) + ": " + reason);
  for (const auto& [prefix, reason] : failed_routes_) out.push_back("route " + prefix.to_string() + ": " + reason);
  for (const auto& [prefix, refused] : refused_changes_)
    out.push_back("route " + prefix.to_string() + ": " + refused.reason);
  return out;
}

Status NetlinkFib::execute(const Plan& plan, std::vector<PlanError> errors) {
  for (const FibOperation& operation : plan.operations) emit(operation);
  errors.insert(errors.end(), plan.errors.begin(), plan.errors.end());
  return collect_outcome(std::move(errors));
}

void NetlinkFib::emit(const FibOperation& operation) {
  if (auto* op = std::get_if<AddNextHop>(&operation)) {
    if (nexthop_objects_) emit_next_hop(op->id, op->next_hop);
  } else if (auto* op = std::get_if<SetGroup>(&operation)) {
    if (nexthop_objects_) {
      // The DeleteNextHop that follows makes the kernel drop the member.
      if (!op->done_by_next_hop_delete) emit_group(op->id, op->members);
    } else if (!op->created) {
      // Without groups, every route using the set is rewritten.
      for (const Prefix& prefix : planner_.routes_using(op->id)) emit_route(prefix, op->id);
    }
  } else if (auto* op = std::get_if<SetRoute>(&operation)) {
    emit_route(op->prefix, op->group);
  } else if (auto* op = std::get_if<DeleteRoute>(&operation)) {
    emit_route_delete(op->prefix, options_.metric);
  } else if (auto* op = std::get_if<DeleteGroup>(&operation)) {
    if (nexthop_objects_) {
      emit_object_delete(Subject::Kind::group, op->id);  // the kernel removes routes_removed with it
    } else {
      for (const Prefix& prefix : op->routes_removed) emit_route_delete(prefix, options_.metric);
    }
  } else if (auto* op = std::get_if<DeleteNextHop>(&operation)) {
    if (nexthop_objects_) emit_object_delete(Subject::Kind::next_hop, op->id);
  }
}

void NetlinkFib::emit_next_hop(ObjectId id, const NextHop& next_hop) {
  nlmsghdr* message = socket_->begin_request(RTM_NEWNEXTHOP, NLM_F_CREATE | NLM_F_REPLACE);
  auto* header = static_cast<nhmsg*>(mnl_nlmsg_put_extra_header(message, sizeof(nhmsg)));
  // A nexthop without a gateway is made IPv6 so that routes of both families
  // may use it (IPv6 routes refuse IPv4 nexthops; IPv4 routes take either).
  header->nh_family = uint8_t(next_hop.gateway.is_unspecified() ? AF_INET6 : address_family(next_hop.gateway.family()));
  header->nh_protocol = options_.protocol;
  mnl_attr_put_u32(message, NHA_ID, id);
  mnl_attr_put_u32(message, NHA_OIF, next_hop.ifindex);
  if (!next_hop.gateway.is_unspecified()) put_address(message, NHA_GATEWAY, next_hop.gateway);
  subjects_.push_back({Subject::Kind::next_hop, id, {}, false});
  ++counters_.next_hop_writes;
}

void NetlinkFib::emit_group(ObjectId id, const std::vector<GroupMember>& members) {
  nlmsghdr* message = socket_->begin_request(RTM_NEWNEXTHOP, NLM_F_CREATE | NLM_F_REPLACE);
  auto* header = static_cast<nhmsg*>(mnl_nlmsg_put_extra_header(message, sizeof(nhmsg)));
  header->nh_family = AF_UNSPEC;
  header->nh_protocol = options_.protocol;
  mnl_attr_put_u32(message, NHA_ID, id);
  std::vector<nexthop_grp> entries(members.size());
  for (size_t i = 0; i < members.size(); ++i) {
    entries[i].id = members[i].next_hop;
    entries[i].weight = uint8_t(members[i].weight - 1);  // the kernel stores weight - 1
  }
  mnl_attr_put(message, NHA_GROUP, entries.size() * sizeof(nexthop_grp), entries.data());
  subjects_.push_back({Subject::Kind::group, id, {}, false});
  ++counters_.group_writes;
}

void NetlinkFib::emit_route(const Prefix& prefix, ObjectId group) {
  nlmsghdr* message = socket_->begin_request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
  auto* header = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(message, sizeof(rtmsg)));
  header->rtm_family = uint8_t(address_family(prefix.family()));
  header->rtm_dst_len = uint8_t(prefix.length());
  header->rtm_table = options_.table < 256 ? uint8_t(options_.table) : uint8_t(RT_TABLE_UNSPEC);
  header->rtm_protocol = options_.protocol;
  header->rtm_scope = RT_SCOPE_UNIVERSE;
  header->rtm_type = RTN_UNICAST;
  put_address(message, RTA_DST, prefix.address());
  mnl_attr_put_u32(message, RTA_TABLE, options_.table);
  mnl_attr_put_u32(message, RTA_PRIORITY, options_.metric);
  if (nexthop_objects_) {
    mnl_attr_put_u32(message, RTA_NH_ID, group);
  } else {
    std::vector<NextHop> next_hops = planner_.next_hops_of(group);
    if (next_hops.size() == 1) {
      mnl_attr_put_u32(message, RTA_OIF, next_hops[0].ifindex);
      put_gateway(message, prefix.family(), next_hops[0].gateway);
    } else {
      nlattr* multipath = mnl_attr_nest_start(message, RTA_MULTIPATH);
      for (const NextHop& next_hop : next_hops) {
        auto* hop = static_cast<rtnexthop*>(mnl_nlmsg_get_payload_tail(message));
        message->nlmsg_len += RTNH_ALIGN(sizeof(rtnexthop));
        hop->rtnh_flags = 0;
        hop->rtnh_hops = uint8_t(next_hop.weight - 1);
        hop->rtnh_ifindex = int(next_hop.ifindex);
        put_gateway(message, prefix.family(), next_hop.gateway);
        hop->rtnh_len = uint16_t(reinterpret_cast<char*>(mnl_nlmsg_get_payload_tail(message)) -
                                 reinterpret_cast<char*>(hop));
      }
      mnl_attr_nest_end(message, multipath);
    }
  }
  subjects_.push_back({Subject::Kind::route, group, prefix, false});
  ++counters_.route_writes;
}

void NetlinkFib::emit_route_delete(const Prefix& prefix, uint32_t metric) {
  nlmsghdr* message = socket_->begin_request(RTM_DELROUTE, 0);
  auto* header = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(message, sizeof(rtmsg)));
  header->rtm_family = uint8_t(address_family(prefix.family()));
  header->rtm_dst_len = uint8_t(prefix.length());
  header->rtm_table = options_.table < 256 ? uint8_t(options_.table) : uint8_t(RT_TABLE_UNSPEC);
  // With a protocol set, the kernel deletes only a route of that protocol:
  // someone else's route for the same prefix stays.
  header->rtm_protocol = options_.protocol;
  header->rtm_scope = RT_SCOPE_NOWHERE;
  put_address(message, RTA_DST, prefix.address());
  mnl_attr_put_u32(message, RTA_TABLE, options_.table);
  mnl_attr_put_u32(message, RTA_PRIORITY, metric);
  subjects_.push_back({Subject::Kind::route, 0, prefix, true});
  ++counters_.route_writes;
}

void NetlinkFib::emit_object_delete(Subject::Kind kind, ObjectId id) {
  nlmsghdr* message = socket_->begin_request(RTM_DELNEXTHOP, 0);
  auto* header = static_cast<nhmsg*>(mnl_nlmsg_put_extra_header(message, sizeof(nhmsg)));
  header->nh_family = AF_UNSPEC;
  mnl_attr_put_u32(message, NHA_ID, id);
  subjects_.push_back({kind, id, {}, true});
  ++(kind == Subject::Kind::group ? counters_.group_writes : counters_.next_hop_writes);
}

std::string NetlinkFib::describe(const Subject& subject) const {
  switch (subject.kind) {
    case Subject::Kind::next_hop: {
      std::string text = (subject.is_delete ? "delete nexthop " : "nexthop ") + std::to_string(subject.id);
      if (const NextHop* next_hop = planner_.next_hop(subject.id)) text += " via " + next_hop->to_string();
      return text;
    }
    case Subject::Kind::group:
      return (subject.is_delete ? "delete nexthop group " : "nexthop group ") + std::to_string(subject.id);
    case Subject::Kind::route: {
      if (subject.is_delete) return "delete route " + subject.prefix.to_string();
      std::string text = "route " + subject.prefix.to_string() + " via";
      const char* separator = " ";
      for (const NextHop& next_hop : planner_.next_hops_of(subject.id)) {
        text += separator;
        text += next_hop.to_string();
        separator = ", ";
      }
      return text;
    }
  }
  return {};
}

Status NetlinkFib::collect_outcome(std::vector<PlanError> errors) {
  std::vector<RequestError> refused = socket_->flush();
  std::string problems;
  size_t count = 0;
  auto note = [&](const std::string& text) {
    if (++count <= 3) problems += (problems.empty() ? "" : "; ") + text;
  };
  for (const PlanError& error : errors) note(error.prefix.to_string() + ": " + error.message);
  for (const RequestError& error : refused) {
    const Subject& subject = subjects_.at(error.index);
    // Deleting what is already gone (an interface went away and took its
    // nexthops with it) is the state we wanted.
    if (subject.is_delete && is_not_found(error.error)) continue;
    ++counters_.failed_writes;
    note(describe(subject) + ": " + error.message);
    switch (subject.kind) {
      case Subject::Kind::next_hop: failed_next_hops_[subject.id] = error.message; break;
      case Subject::Kind::group: failed_groups_[subject.id] = error.message; break;
      case Subject::Kind::route: failed_routes_[subject.prefix] = error.message; break;
    }
  }
  subjects_.clear();
  if (count == 0) return Status::success();
  if (count > 3) problems += " (and " + std::to_string(count - 3) + " more)";
  return Error{problems};
}

FibStats NetlinkFib::stats() const {
  FibStats result = counters_;
  result.routes = planner_.route_count();
  result.groups = nexthop_objects_ ? planner_.group_count() : 0;
  result.next_hops = nexthop_objects_ ? planner_.next_hop_count() : 0;
  return result;
}

}  // namespace halink::fib
