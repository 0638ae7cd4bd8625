using Microsoft.AspNetCore.Routing;

namespace Kiosk.Agent.LocalApi;

/// <summary>
/// A part of the local API (the agent's status and queue today, the kiosk screen later). Register implementations as
/// singletons in the agent's container; <see cref="LocalApiServer"/> maps every one of them on its loopback listener.
/// Handlers run on Kestrel's threads and must be thread-safe.
/// </summary>
public interface ILocalApiModule
{
    void Map(IEndpointRouteBuilder routes);
}
