using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Kiosk.Agent.Devices;
using Kiosk.Devices.Drivers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Kiosk.Agent.Configuration;

/// <summary>
/// Binds and validates a whole configuration the way the agent does on start — the same registrations
/// (<see cref="KioskConfigurationExtensions.AddKioskConfiguration"/>), the same drivers, the same binder, the same validators — without
/// opening a device, a database or a connection, and returns every problem at once. A value the binder cannot
/// convert stops the agent at the first one; here each such key is reported and left out so the rest is still checked.
/// Used by <c>kioskctl config validate</c> and <c>kioskctl config set</c>.
/// </summary>
public static partial class KioskConfigurationCheck
{
    /// <summary>Checks <paramref name="configuration"/> as the agent with <paramref name="drivers"/>, started in <paramref name="contentRootPath"/>, would.</summary>
    public static KioskConfigurationReport Check(IConfiguration configuration, string contentRootPath, IEnumerable<DriverDescriptor> drivers)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = configuration.AsEnumerable()
            .Where(pair => pair.Value is not null)
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);
        return Check(settings, contentRootPath, drivers);
    }

    /// <summary>Checks flattened settings (<c>Kiosk:Sync:BrokerPort</c> = <c>8883</c>) as the agent with <paramref name="drivers"/> would.</summary>
    public static KioskConfigurationReport Check(IReadOnlyDictionary<string, string?> settings, string contentRootPath, IEnumerable<DriverDescriptor> drivers)
    {
        var registered = drivers?.ToList() ?? throw new ArgumentNullException(nameof(drivers));
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(contentRootPath);
        var remaining = new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase);
        var problems = new List<string>();
        var conversions = new List<KioskConfigurationConversionFailure>();
        var read = new HashSet<string>(StringComparer.OrdinalIgnoreCase); // over every round: a key taken out is no longer asked for

        // Each round either finishes or takes one unconvertible key out; a file has finitely many keys.
        for (var round = 0; round <= settings.Count; round++)
        {
            var source = new RecordingSource(remaining);
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
            {
                EnvironmentName = Environments.Production,
                ContentRootPath = contentRootPath,
            });
            ((IConfigurationBuilder)builder.Configuration).Add(source);
            builder.AddKioskConfiguration();
            builder.Services.AddKioskDrivers(registered);
            using var host = builder.Build();
            var failure = ValidateAll(host.Services, builder.Services, problems);
            read.UnionWith(source.Provider?.ReadKeys ?? []);
            if (failure is null)
            {
                var unread = settings.Keys
                    .Where(key => !read.Contains(key) && !conversions.Any(c => string.Equals(c.Key, key, StringComparison.OrdinalIgnoreCase)))
                    .Order(StringComparer.OrdinalIgnoreCase)
                    .ToList();
                return new KioskConfigurationReport(problems.Distinct().ToList(), conversions, unread, read.ToList());
            }

            if (ParseConversionFailure(failure) is not { } conversion || !remaining.Remove(conversion.Key))
            {
                problems.Add(failure.Message);
                return new KioskConfigurationReport(problems.Distinct().ToList(), conversions, [], read.ToList());
            }

            conversions.Add(conversion);
            problems.Add(conversion.Message);
        }

        return new KioskConfigurationReport(problems.Distinct().ToList(), conversions, [], read.ToList());
    }

    /// <summary>
    /// Runs what the host runs on start (the ValidateOnStart validators), then binds every other options type the agent
    /// registers, so keys of sections without a validator are read too. Validation messages go to
    /// <paramref name="problems"/>; a conversion failure is returned so the caller can take the key out and go again.
    /// </summary>
    private static InvalidOperationException? ValidateAll(IServiceProvider services, IServiceCollection registrations, List<string> problems)
    {
        var found = new List<string>();
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException ex)
        {
            found.AddRange(ex.Failures);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            found.AddRange(ex.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures));
        }
        catch (InvalidOperationException ex) when (ParseConversionFailure(ex) is not null)
        {
            return ex;
        }

        var optionTypes = registrations
            .Where(d => d.ServiceType.IsGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(IConfigureOptions<>))
            .Select(d => d.ServiceType.GetGenericArguments()[0])
            .Distinct();
        foreach (var type in optionTypes)
        {
            var accessor = typeof(IOptions<>).MakeGenericType(type);
            try
            {
                accessor.GetProperty(nameof(IOptions<object>.Value))!.GetValue(services.GetRequiredService(accessor));
            }
            catch (TargetInvocationException ex) when (ex.InnerException is OptionsValidationException validation)
            {
                found.AddRange(validation.Failures);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is InvalidOperationException conversion && ParseConversionFailure(conversion) is not null)
            {
                return conversion;
            }
        }

        problems.AddRange(found);
        return null;
    }

    /// <summary>
    /// When the host stops at start because a value does not convert (the binder throws before any validator runs),
    /// the message a technician needs: the key, the value and what it must be. False for any other failure.
    /// </summary>
    public static bool TryDescribeStartFailure(Exception exception, [NotNullWhen(true)] out string? message)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is InvalidOperationException conversion && ParseConversionFailure(conversion) is { } failure)
            {
                message = failure.Message;
                return true;
            }
        }

        message = null;
        return false;
    }

    private static KioskConfigurationConversionFailure? ParseConversionFailure(InvalidOperationException exception)
    {
        var match = ConversionMessage().Match(exception.Message);
        if (!match.Success)
        {
            return null;
        }

        var key = match.Groups["key"].Value;
        var value = match.Groups["value"].Value;
        var type = ResolveType(match.Groups["type"].Value);
        var expected = type is null ? $"a value of type {match.Groups["type"].Value}" : Describe(type);
        return new KioskConfigurationConversionFailure(key, value, type, $"{key} '{value}' is not {expected}: fix the value in the configuration file.");
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(TimeSpan) => "a duration such as 00:00:30 (hh:mm:ss)",
        _ when type == typeof(Uri) => "a URL such as http://192.168.1.20/eSCL",
        _ when type.IsEnum => $"one of {string.Join(", ", Enum.GetNames(type))}",
        _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number",
        _ when type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(byte) => "a whole number, 0 or more",
        _ when type.IsPrimitive => "a whole number",
        _ => $"a value of type {type.Name}",
    };

    private static Type? ResolveType(string name)
    {
        var nullable = NullableName().Match(name);
        if (nullable.Success)
        {
            name = nullable.Groups["inner"].Value;
        }

        return Type.GetType(name)
            ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(name)).FirstOrDefault(t => t is not null);
    }

    /// <summary>Microsoft.Extensions.Configuration.Binder's Error_FailedBinding.</summary>
    [GeneratedRegex(@"^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']*)' to type '(?<type>[^']*)'\.$", RegexOptions.Singleline)]
    private static partial Regex ConversionMessage();

    [GeneratedRegex(@"^System\.Nullable`1\[(?<inner>.+)\]$")]
    private static partial Regex NullableName();

    /// <summary>An in-memory source whose provider remembers every key the binder asked for.</summary>
    private sealed class RecordingSource(IDictionary<string, string?> settings) : IConfigurationSource
    {
        public RecordingProvider? Provider { get; private set; }

        public IConfigurationProvider Build(IConfigurationBuilder builder) => Provider = new RecordingProvider(settings);
    }

    private sealed class RecordingProvider : ConfigurationProvider
    {
        public RecordingProvider(IDictionary<string, string?> settings)
        {
            foreach (var (key, value) in settings)
            {
                Data[key] = value;
            }
        }

        public HashSet<string> ReadKeys { get; } = new(StringComparer.OrdinalIgnoreCase);

        public override bool TryGet(string key, out string? value)
        {
            lock (ReadKeys)
            {
                ReadKeys.Add(key);
            }

            return base.TryGet(key, out value);
        }
    }
}

/// <summary>What <see cref="KioskConfigurationCheck"/> found.</summary>
/// <param name="Problems">Every reason the agent would refuse to start, each naming the key and the fix.</param>
/// <param name="ConversionFailures">The values the binder could not convert (also in <paramref name="Problems"/>).</param>
/// <param name="UnreadKeys">Keys of the configuration the agent never reads (a misspelt key is silently ignored by the agent).</param>
/// <param name="ReadKeys">Every key the agent's options asked for, spelt as the options spell them.</param>
public sealed record KioskConfigurationReport(
    IReadOnlyList<string> Problems,
    IReadOnlyList<KioskConfigurationConversionFailure> ConversionFailures,
    IReadOnlyList<string> UnreadKeys,
    IReadOnlyList<string> ReadKeys)
{
    public bool IsValid => Problems.Count == 0;
}

/// <summary>A configuration value the binder could not convert to its option's type.</summary>
public sealed record KioskConfigurationConversionFailure(string Key, string Value, Type? TargetType, string Message)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Key}: {Message}");
}
