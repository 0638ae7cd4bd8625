using Kiosk.Devices;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Contracts;

/// <summary>
/// What every HAL device must do, whatever its class: open, capabilities, health, claim and release,
/// one completion code per operation for cancellation, timeouts and scripted faults.
/// A device class fixture supplies its main operation; a device fixture (simulator or real driver)
/// supplies the device and the fault hooks. A hook returns false when the device cannot be made to
/// show that fault (a real driver cannot be unplugged on demand); that test is then skipped
/// (Assert.Ignore, with the reason), never passed: it checked nothing.
/// Time is a <see cref="FakeTimeProvider"/>: nothing sleeps.
/// </summary>
public abstract class DeviceContract<TDevice>
    where TDevice : class, IDevice
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(50);

    protected FakeTimeProvider Time { get; private set; } = null!;

    protected TDevice Device { get; private set; } = null!;

    protected List<DeviceStatusChangedEventArgs> StatusEvents { get; } = [];

    /// <summary>The longest the main operation may take before the device reports Timeout.</summary>
    protected abstract TimeSpan OperationTimeout { get; }

    /// <summary>False for shared devices (sensors) whose main operation takes no claim.</summary>
    protected virtual bool OperationNeedsClaim => true;

    protected abstract TDevice CreateDevice(TimeProvider timeProvider);

    /// <summary>Starts the device class's main operation (the claim is ignored by shared devices).</summary>
    protected abstract Task<DeviceResult<Done>> OperateAsync(TDevice device, DeviceClaim claim, CancellationToken cancellationToken);

    protected abstract bool ArrangeUnplugged();

    protected abstract bool ArrangeSlow();

    protected abstract bool ArrangeTimeout();

    protected abstract bool ArrangeGarbage();

    protected abstract bool ArrangeHardwareError();

    [SetUp]
    public async Task OpenDeviceAsync()
    {
        StatusEvents.Clear();
        Time = new FakeTimeProvider();
        Device = CreateDevice(Time);
        Device.StatusChanged += (_, e) => StatusEvents.Add(e);
        var opened = await Device.OpenAsync(CancellationToken.None);
        Assert.That(opened.Code, Is.EqualTo(CompletionCode.Success), opened.ToString());
    }

    [TearDown]
    public async Task CloseDeviceAsync() => await Device.DisposeAsync();

    [Test]
    public void Opens_online_after_a_status_change_from_starting()
    {
        Assert.That(Device.Status, Is.EqualTo(DeviceStatus.Online));
        Assert.That(StatusEvents, Has.Some.Matches<DeviceStatusChangedEventArgs>(e => e.Previous == DeviceStatus.Starting && e.Current == DeviceStatus.Online && e.DeviceName == Device.Name));
    }

    [Test]
    public void Capabilities_name_a_model() => Assert.That(Device.Capabilities.Model, Is.Not.Empty);

    [Test]
    public async Task Health_checks_pass_at_every_level([Values] HealthCheckLevel level)
    {
        var report = await DriveAsync(Device.CheckHealthAsync(level, CancellationToken.None));
        Assert.That(report.Healthy, Is.True, report.Description);
        Assert.That(report.Level, Is.EqualTo(level));
    }

    [Test]
    public async Task Main_operation_succeeds() => await SucceedsAsync();

    [Test]
    public async Task An_operation_with_another_devices_claim_is_not_claimed()
    {
        if (!OperationNeedsClaim)
        {
            Assert.Ignore("shared device: operations take no claim");
        }

        await using var other = CreateDevice(Time);
        await other.OpenAsync(CancellationToken.None);
        using var foreign = await ClaimAsync(other, "other");
        var result = await DriveAsync(OperateAsync(Device, foreign, CancellationToken.None));
        Assert.That(result.Code, Is.EqualTo(CompletionCode.NotClaimed), result.ToString());
    }

    [Test]
    public async Task An_operation_with_a_released_claim_is_not_claimed()
    {
        if (!OperationNeedsClaim)
        {
            Assert.Ignore("shared device: operations take no claim");
        }

        var claim = await ClaimAsync(Device, "session");
        claim.Dispose();
        var result = await DriveAsync(OperateAsync(Device, claim, CancellationToken.None));
        Assert.That(result.Code, Is.EqualTo(CompletionCode.NotClaimed), result.ToString());
    }

    [Test]
    public async Task A_second_owner_waits_for_the_claim_and_gets_it_after_release()
    {
        var first = await ClaimAsync(Device, "session");
        var late = Device.ClaimAsync("diagnostics", TimeSpan.FromSeconds(2), CancellationToken.None);
        Assert.That(late.IsCompleted, Is.False, "the second owner must wait");
        Time.Advance(TimeSpan.FromSeconds(2));
        var refused = await late;
        Assert.That(refused.Code, Is.EqualTo(CompletionCode.NotClaimed), refused.ToString());
        Assert.That(Device.ClaimedBy, Is.EqualTo("session"));

        var waiting = Device.ClaimAsync("diagnostics", TimeSpan.FromSeconds(2), CancellationToken.None);
        first.Dispose();
        var granted = await waiting;
        Assert.That(granted.Code, Is.EqualTo(CompletionCode.Success), granted.ToString());
        using var second = granted.Value!;
        Assert.That(Device.ClaimedBy, Is.EqualTo("diagnostics"));
        var result = await DriveAsync(OperateAsync(Device, second, CancellationToken.None));
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
    }

    [Test]
    public async Task Cancellation_ends_with_canceled()
    {
        using var claim = await ClaimAsync(Device, "session");
        using var cancellation = new CancellationTokenSource();
        if (MayFinishBeforeCancellation)
        {
            // Cancelling while such an operation runs is a race against real I/O, which the operation could
            // win on a loaded machine; a request whose cancellation is already signalled gives the same
            // answer every run, and the device must still end it with Canceled rather than do the work.
            await cancellation.CancelAsync();
        }

        var running = OperateAsync(Device, claim, cancellation.Token);
        if (!MayFinishBeforeCancellation)
        {
            await cancellation.CancelAsync();
        }

        var result = await DriveAsync(running);
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Canceled), result.ToString());
    }

    /// <summary>
    /// True for a driver on real, fast I/O (a file-backed camera) whose operation can finish on another thread
    /// before a cancellation arrives: the cancellation test then cancels before it starts the operation.
    /// Simulators run on the test clock and are cancelled mid-operation.
    /// </summary>
    protected virtual bool MayFinishBeforeCancellation => false;

    [Test]
    public async Task A_second_concurrent_operation_is_refused_as_not_ready()
    {
        // The second operation must be asked while the first still runs. A device that can be made to hang
        // holds the first until the fake clock reaches its timeout (what the timeout test checks), so the
        // overlap does not depend on how fast real I/O or the thread pool is.
        var held = ArrangeTimeout();
        using var claim = await ClaimAsync(Device, "session");
        var first = OperateAsync(Device, claim, CancellationToken.None);
        var second = await OperateAsync(Device, claim, CancellationToken.None);
        if (!held && first.IsCompleted)
        {
            // Only a device that cannot be made to hang gets here: its first operation won the race against
            // the second request, so nothing overlapped and nothing was checked.
            Assert.Ignore("the first operation finished at once; nothing to overlap");
        }

        Assert.That(second.Code, Is.EqualTo(CompletionCode.DeviceNotReady), second.ToString());
        if (held)
        {
            // The refusal must not end the first operation: it still runs until its own timeout.
            Assert.That(first.IsCompleted, Is.False, "the refused second operation ended the first");
            Time.Advance(OperationTimeout + TimeSpan.FromMilliseconds(100));
            var ended = await first.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(ended.Code, Is.EqualTo(CompletionCode.Timeout), ended.ToString());
        }
        else
        {
            Assert.That((await DriveAsync(first)).Code, Is.EqualTo(CompletionCode.Success));
        }
    }

    [Test]
    public async Task A_device_that_never_answers_times_out_at_the_operation_timeout()
    {
        if (!ArrangeTimeout())
        {
            Assert.Ignore("this device cannot be made to hang");
        }

        using var claim = await ClaimAsync(Device, "session");
        var running = OperateAsync(Device, claim, CancellationToken.None);
        Time.Advance(OperationTimeout - TimeSpan.FromMilliseconds(100));
        Assert.That(running.IsCompleted, Is.False, "gave up before its timeout");
        Time.Advance(TimeSpan.FromMilliseconds(200));
        // The timeout has fired; the real-time bound only keeps a driver that ignores it from hanging the run.
        var result = await running.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Timeout), result.ToString());
    }

    [Test]
    public async Task A_slow_device_still_succeeds_within_the_timeout()
    {
        if (!ArrangeSlow())
        {
            Assert.Ignore("this device cannot be slowed down");
        }

        var started = Time.GetUtcNow();
        await SucceedsAsync();
        Assert.That(Time.GetUtcNow() - started, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public async Task Unplugged_is_not_ready_and_reports_no_device()
    {
        if (!ArrangeUnplugged())
        {
            Assert.Ignore("this device cannot be unplugged on demand");
        }

        var result = await OperateOnceAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.DeviceNotReady), result.ToString());
        Assert.That(Device.Status, Is.EqualTo(DeviceStatus.NoDevice));
        Assert.That(StatusEvents, Has.Some.Matches<DeviceStatusChangedEventArgs>(e => e.Current == DeviceStatus.NoDevice));
    }

    [Test]
    public async Task Garbage_from_the_device_is_invalid_data()
    {
        if (!ArrangeGarbage())
        {
            Assert.Ignore("this device cannot be made to send garbage");
        }

        var result = await OperateOnceAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.InvalidData), result.ToString());
    }

    [Test]
    public async Task A_hardware_error_is_reported_and_the_next_operation_works()
    {
        if (!ArrangeHardwareError())
        {
            Assert.Ignore("this device cannot be made to fail");
        }

        var result = await OperateOnceAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.HardwareError), result.ToString());
        await SucceedsAsync();
        Assert.That(Device.Status, Is.EqualTo(DeviceStatus.Online));
    }

    [Test]
    public async Task An_operation_after_dispose_is_not_ready()
    {
        using var claim = await ClaimAsync(Device, "session");
        await Device.DisposeAsync();
        var result = await DriveAsync(OperateAsync(Device, claim, CancellationToken.None));
        Assert.That(result.Code, Is.EqualTo(CompletionCode.DeviceNotReady), result.ToString());
        Assert.That(Device.Status, Is.EqualTo(DeviceStatus.Offline));
    }

    /// <summary>
    /// Advances the fake clock in small steps until the task completes, up to the operation timeout plus
    /// a margin. A fixture for a real driver whose operations complete on real I/O can override this.
    /// </summary>
    protected virtual async Task<T> DriveAsync<T>(Task<T> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var budget = OperationTimeout + TimeSpan.FromSeconds(10);
        for (var elapsed = TimeSpan.Zero; !task.IsCompleted && elapsed <= budget; elapsed += Step)
        {
            Time.Advance(Step);
        }

        Assert.That(task.IsCompleted, Is.True, $"no answer within {budget} of simulated time");
        return await task;
    }

    protected async Task<DeviceClaim> ClaimAsync(TDevice device, string owner)
    {
        ArgumentNullException.ThrowIfNull(device);
        var claim = await device.ClaimAsync(owner, TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.That(claim.Code, Is.EqualTo(CompletionCode.Success), claim.ToString());
        return claim.Value!;
    }

    /// <summary>Claims, runs the main operation once with the fake clock driven, releases.</summary>
    protected async Task<DeviceResult<Done>> OperateOnceAsync()
    {
        using var claim = await ClaimAsync(Device, "session");
        return await DriveAsync(OperateAsync(Device, claim, CancellationToken.None));
    }

    protected async Task SucceedsAsync()
    {
        var result = await OperateOnceAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
    }

    /// <summary>Claims, runs <paramref name="operation"/> with the fake clock driven, releases.</summary>
    protected async Task<DeviceResult<T>> RunAsync<T>(Func<DeviceClaim, Task<DeviceResult<T>>> operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        using var claim = await ClaimAsync(Device, "session");
        return await DriveAsync(operation(claim));
    }

    protected async Task<T> SuccessOfAsync<T>(Func<DeviceClaim, Task<DeviceResult<T>>> operation)
    {
        var result = await RunAsync(operation);
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
        return result.Value!;
    }
}
