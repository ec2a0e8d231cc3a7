using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using GrainPool.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrainPool.Client;

/// <summary>
/// What one Orleans client knows of the silos its jobs use, shared by all of its jobs (like <see cref="WorkerGates"/>).
/// A call pending on a silo that died gets no answer until Orleans' response timeout (30 s by default): the
/// connection's reset reaches the gateway, not the call, and membership takes seconds more. So, while any job runs,
/// the watch reads the cluster's membership (<see cref="IClusterInfoGrain"/>) every <see cref="PollInterval"/>, and asks
/// each silo that has calls out but has answered none for <see cref="QuietLimit"/>, and each suspect one, whether it is
/// there (a ping, which never computes: see PingOf). A silo found gone (declared dead by membership, a ping or a call
/// that cannot reach it, or silence past <see cref="SilentFor"/>) has its pending calls interrupted at once, so their
/// chunks run again elsewhere, and takes no new chunk while it is suspect (<see cref="SuspectFor"/>) or for good once it
/// is dead. Once membership declares a silo dead, calls sent through the main client are interrupted too, whatever silo
/// runs them: they may have gone through the dead silo's gateway, whose answers went with it. Jobs also learn here of silos that joined, and give them chunks.
/// </summary>
internal sealed partial class SiloWatch
{
    /// <summary>How often a running job's client reads the membership and checks quiet silos.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>A silo with calls out that has answered none for this long is asked whether it is there.</summary>
    public static readonly TimeSpan QuietLimit = TimeSpan.FromSeconds(1);

    /// <summary>How long a ping or a membership read may take; a silo whose ping takes longer is suspect.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long a silo that failed a call or a ping takes no new chunk at most (unless membership declares it dead): it
    /// is pinged meanwhile, and takes chunks again as soon as it answers.
    /// </summary>
    public static readonly TimeSpan SuspectFor = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A silo with calls out that has answered neither a call nor a ping for this long is taken for gone (see PingAsync):
    /// the client's <see cref="GrainPoolClientOptions.SilentSiloTimeout"/>, whose documentation says why and at what cost.
    /// </summary>
    public TimeSpan SilentFor { get; }

    /// <summary>How many pings a silo that failed a call gets before it is taken for gone, and how far apart.</summary>
    private const int ConfirmPings = 2;

    private static readonly TimeSpan ConfirmRepeatAfter = TimeSpan.FromMilliseconds(250);

    private static readonly ConditionalWeakTable<IGrainFactory, SiloWatch> Shared = [];

    private readonly IGrainFactory _grains;
    private readonly ConcurrentDictionary<string, SiloState> _silos = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly List<Listener> _listeners = [];
    private CancellationTokenSource _viaMain = new();
    private bool _polling;

    private SiloWatch(IGrainFactory grains)
    {
        _grains = grains;
        SilentFor = (grains as IClusterClient)?.ServiceProvider.GetService<IOptions<GrainPoolClientOptions>>()?.Value.SilentSiloTimeout
            ?? GrainPoolClientOptions.DefaultSilentSiloTimeout;
    }

    /// <summary>Where the watch logs what it finds: the logger of the last client made over the Orleans client that had one.</summary>
    public ILogger Logger { get; private set; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>The watch of the Orleans client <paramref name="grains"/>, made on first use.</summary>
    public static SiloWatch For(IGrainFactory grains, ILogger? logger = null)
    {
        var watch = Shared.GetValue(grains, static g => new SiloWatch(g));
        if (logger is not null)
        {
            watch.Logger = logger;
        }

        return watch;
    }

    /// <summary>
    /// Watches the cluster while the result is not disposed (one per running job): <paramref name="onTopology"/> gets
    /// each membership read, from which the job takes silos that joined.
    /// </summary>
    public IDisposable Watch(Action<ClusterTopology> onTopology)
    {
        var listener = new Listener(this, onTopology);
        lock (_gate)
        {
            _listeners.Add(listener);
            if (!_polling)
            {
                _polling = true;
                _ = Task.Run(PollAsync);
            }
        }

        return listener;
    }

    /// <summary>Takes in a membership read: silos declared dead are gone for good, silos not active take no new chunk.</summary>
    public void Apply(ClusterTopology topology)
    {
        foreach (var leaving in topology.Leaving)
        {
            if (_silos.TryGetValue(leaving, out var state))
            {
                state.Leaving = true;
            }
        }

        foreach (var dead in topology.Dead)
        {
            if (!_silos.TryGetValue(dead, out var state))
            {
                // Dead before this client used it (the table keeps dead silos for a while): nothing of ours is on it.
                _silos.TryAdd(dead, new SiloState { Dead = true });
            }
            else if (!state.Dead)
            {
                state.Dead = true;
                Lose(dead, state, "membership declared it dead");
            }
        }

        var active = topology.Silos.Select(s => s.Silo).ToHashSet(StringComparer.Ordinal);
        foreach (var (address, state) in _silos)
        {
            state.Inactive = !active.Contains(address);
        }

        foreach (var silo in active)
        {
            State(silo).Inactive = false;
        }
    }

    /// <summary>Whether new chunks may go to <paramref name="silo"/>: not dead, not suspect, active in the last read.</summary>
    public bool IsUsable(string silo) =>
        !_silos.TryGetValue(silo, out var state) || (!state.Dead && !state.Inactive && Stopwatch.GetTimestamp() >= Volatile.Read(ref state.SuspectUntil));

    /// <summary>Whether membership has declared <paramref name="silo"/> dead.</summary>
    public bool IsDead(string silo) => _silos.TryGetValue(silo, out var state) && state.Dead;

    /// <summary>
    /// A call on <paramref name="silo"/> starts: the result's token (linked with <paramref name="cancellationToken"/>)
    /// is cancelled when the silo is found gone, or, for a call through the main client (<paramref name="viaMain"/>), when
    /// any silo is. Dispose it when the call has returned or failed.
    /// </summary>
    public Call Enter(string silo, bool viaMain, CancellationToken cancellationToken)
    {
        var state = State(silo);
        if (Interlocked.Increment(ref state.Pending) == 1)
        {
            Volatile.Write(ref state.LastAnswer, Stopwatch.GetTimestamp());
        }

        var linked = viaMain
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, state.Calls.Token, _viaMain.Token)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, state.Calls.Token);
        return new Call(state, linked);
    }

    /// <summary>
    /// A call on <paramref name="silo"/> failed with a transient error: it is suspect. The error may mean the silo is
    /// gone, or only the way to it (the gateway the call went through, a directory entry held by a silo that died), or a
    /// worker that was busy past the response timeout: the silo is asked at once (a ping, which the client sends through
    /// a gateway it has not found dead), and its pending calls are interrupted if the ping cannot reach it; if it answers
    /// it is usable again. The result says whether it answered. A silo that hands a chunk back as it stops
    /// (<see cref="HandBack"/>) is only suspect: its other calls come back the same way.
    /// </summary>
    public Task<bool> Failed(string silo, Exception error)
    {
        var state = State(silo);
        Suspect(state);
        if (HandBack.Is(error))
        {
            state.Leaving = true;
            return Task.FromResult(false);
        }

        lock (state.Gate)
        {
            // One confirmation at a time per silo: calls that fail together wait for the same answer.
            if (state.Confirmation is not { IsCompleted: false } pending)
            {
                pending = state.Confirmation = ConfirmAsync(silo, state);
            }

            return pending;
        }
    }

    // A ping that fails may have gone through a gateway that died (the client drops a gateway it cannot reach, and the
    // next call goes through another): the silo is lost only if a second ping, a moment later, cannot reach it either.
    // The ping goes the way PingOf finds now: a route still connecting is not waited for (one to a silo that died
    // never connects, and its chunks would wait with it).
    private async Task<bool> ConfirmAsync(string silo, SiloState state)
    {
        for (var ping = 1; ; ping++)
        {
            try
            {
                await GrainCall.WithinAsync(PingOf(silo), AnswerTimeout).ConfigureAwait(false);
                Volatile.Write(ref state.SuspectUntil, 0); // it answers: only the way to it failed
                return true;
            }
            catch (TimeoutException)
            {
                LogPingUnanswered(Logger, silo, AnswerTimeout.TotalSeconds);
                return false;
            }
            catch (Exception ex) when (ChunkDispatcher.IsTransient(ex) || ex is ObjectDisposedException) // disposed: its route closed as the silo left
            {
                if (ping < ConfirmPings && !state.Dead)
                {
                    await Task.Delay(ConfirmRepeatAfter).ConfigureAwait(false);
                    continue;
                }

                Lose(silo, state, $"a call and {ping} pings could not reach it: {ex.GetType().Name}");
                return false;
            }
        }
    }

    // A ping of one silo. Through that silo's own gateway when the client has a route to it (SiloRoutes), so that no
    // other silo is on the way (a frozen gateway would make the silos behind it look silent), to the stateless
    // cluster-info grain, which the silo the call arrives at answers itself. Without a route (a client that started a
    // moment ago, under load), to the silo's job-control grains (placed on it) through the main client, which sends each
    // through the gateway its grain id picks. Either way a silo looks up a grain it has not seen in the grain directory,
    // and the directory partition of some grain ids sits on a silo that has just died and is not yet declared dead
    // (right after a crash), whose gateway may also be the one a call goes through: so one ping asks under several keys
    // at once, and any answer is the silo's (a key it answered once is in its cache from then on). With one key, a live
    // silo failed its pings in about one job of two started right after a crash without routes, and was taken for gone.
    private Func<CancellationToken, Task> PingOf(string silo, IGrainFactory? route) =>
        route is null
            ? token => AnyAnswerAsync([.. Enumerable.Range(0, PingKeys).Select(key => _grains.GetGrain<IJobControlGrain>(key, silo).PingAsync(token))])
            : token => AnyAnswerAsync([.. Enumerable.Range(0, PingKeys).Select(key => route.GetGrain<IClusterInfoGrain>(key).PingAsync(token))]);

    private const int PingKeys = 8;

    // Completes when the first of the calls does; fails (with the last failure) only when all of them fail. The
    // failures of the others are observed here, not left to the finalizer.
    private static async Task AnyAnswerAsync(List<Task> calls)
    {
        while (true)
        {
            var done = await Task.WhenAny(calls).ConfigureAwait(false);
            if (done.IsCompletedSuccessfully)
            {
                foreach (var call in calls)
                {
                    _ = call.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }

                return;
            }

            calls.Remove(done);
            if (calls.Count == 0)
            {
                await done.ConfigureAwait(false); // throws its failure
            }

            _ = done.Exception;
        }
    }

    private Func<CancellationToken, Task> PingOf(string silo) => PingOf(silo, SiloRoutes.Existing(_grains)?.GrainsFor(silo));

    private SiloState State(string silo) => _silos.GetOrAdd(silo, static _ => new SiloState());

    private static void Suspect(SiloState state) =>
        Volatile.Write(ref state.SuspectUntil, Stopwatch.GetTimestamp() + (long)(SuspectFor.TotalSeconds * Stopwatch.Frequency));

    // Interrupts the silo's pending calls; later calls get a fresh token. Unless it is leaving gracefully (a gateway
    // that stops answers what it forwarded first), it may have been the gateway of calls on other silos, whose answers
    // went with it: the calls through the main client are interrupted too, once per silo.
    private void Lose(string silo, SiloState state, string reason)
    {
        LogSiloGone(Logger, silo, reason, Volatile.Read(ref state.Pending));
        Interrupt(ref state.Calls);
        if (!state.Leaving && Interlocked.Exchange(ref state.GatewayInterrupted, 1) == 0)
        {
            Interrupt(ref _viaMain);
        }
    }

    private void Interrupt(ref CancellationTokenSource source)
    {
        var old = Interlocked.Exchange(ref source, new CancellationTokenSource());
        try
        {
            old.Cancel();
        }
#pragma warning disable CA1031 // a callback's failure must not stop the watch; the calls are cancelled regardless
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogMembershipReadFailed(Logger, ex.GetType().Name, ex.Message);
        }
    }

    private async Task PollAsync()
    {
        for (var round = 0; ; round++)
        {
            await Task.Delay(PollInterval).ConfigureAwait(false);
            Listener[] listeners;
            lock (_gate)
            {
                if (_listeners.Count == 0)
                {
                    _polling = false;
                    return;
                }

                listeners = [.. _listeners];
            }

            try
            {
                PingQuietSilos();

                // Each round under another key, which the client sends through another gateway (it picks a call's
                // gateway from the grain's id): one dead gateway cannot hold every read.
                var topology = await GrainCall.WithinAsync(_grains.GetGrain<IClusterInfoGrain>(round % 64).GetTopologyAsync, AnswerTimeout).ConfigureAwait(false);
                Apply(topology);
                foreach (var listener in listeners)
                {
                    listener.OnTopology(topology);
                }
            }
#pragma warning disable CA1031 // a failed read is retried at the next interval; the jobs' own calls show what is wrong
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogMembershipReadFailed(Logger, ex.GetType().Name, ex.Message);
            }
        }
    }

    // Pings the silos that have calls out but answered none for QuietLimit, and the suspect ones (a ping that timed out,
    // a call whose confirmation failed), each while no ping of it is on its way: one of those that answers takes chunks
    // again at once, rather than after SuspectFor, which could outlast a short job (a busy machine that delayed one
    // answer, a path that healed).
    private void PingQuietSilos()
    {
        var now = Stopwatch.GetTimestamp();
        var quiet = (long)(QuietLimit.TotalSeconds * Stopwatch.Frequency);
        foreach (var (silo, state) in _silos)
        {
            var silent = Volatile.Read(ref state.Pending) > 0 && now - Volatile.Read(ref state.LastAnswer) > quiet;
            var suspect = now < Volatile.Read(ref state.SuspectUntil) && !state.Leaving;
            if (!state.Dead && (silent || suspect) && now - state.LastPing > quiet && Interlocked.CompareExchange(ref state.PingInFlight, 1, 0) == 0)
            {
                state.LastPing = now;
                _ = PingAsync(silo, state, silent);
            }
        }
    }

    // A ping that takes longer than AnswerTimeout makes the silo suspect (no new chunks) but is not given up: its answer
    // counts whenever it comes, within SilentFor, so a silo that is only slow to answer (a loaded machine, a link busy
    // with large batches) keeps its calls. No answer within SilentFor, with calls out and none of them answered for as
    // long, and the silo is taken for gone (a host that vanished without a reset). A ping that cannot reach the silo at
    // all loses it at once if it was silent. A suspect silo without calls out that still does not answer stays suspect,
    // without another log line. One ping per silo at a time (PingQuietSilos).
    private async Task PingAsync(string silo, SiloState state, bool silent)
    {
        try
        {
            var ping = GrainCall.WithinAsync(PingOf(silo), SilentFor > AnswerTimeout ? SilentFor : AnswerTimeout);
            try
            {
                await ping.WaitAsync(AnswerTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException) when (!ping.IsCompleted)
            {
                Suspect(state);
                if (silent)
                {
                    LogPingUnanswered(Logger, silo, AnswerTimeout.TotalSeconds);
                }

                await ping.ConfigureAwait(false);
            }

            Volatile.Write(ref state.LastPingAnswer, Stopwatch.GetTimestamp());
            Volatile.Write(ref state.SuspectUntil, 0); // it answers: usable again
        }
        catch (TimeoutException)
        {
            Suspect(state);
            var silence = Stopwatch.GetElapsedTime(Math.Max(Volatile.Read(ref state.LastAnswer), Volatile.Read(ref state.LastPingAnswer)));
            if (Volatile.Read(ref state.Pending) > 0 && silence >= SilentFor)
            {
                Lose(silo, state, string.Create(CultureInfo.InvariantCulture, $"it has answered no call and no ping for {silence.TotalSeconds:0.0} s"));
            }
        }
        catch (Exception ex) when ((ChunkDispatcher.IsTransient(ex) || ex is ObjectDisposedException) && !HandBack.Is(ex))
        {
            Suspect(state);
            if (silent)
            {
                Lose(silo, state, $"it has answered no call for {QuietLimit.TotalSeconds:0} s and a ping could not reach it: {ex.GetType().Name}");
            }
        }
        finally
        {
            Volatile.Write(ref state.PingInFlight, 0);
        }
    }

    /// <summary>One call on a silo: its token, and its end (dispose), which counts as the silo's answer.</summary>
    public sealed class Call : IDisposable
    {
        private readonly SiloState _state;
        private readonly CancellationTokenSource _linked;
        private int _ended;

        internal Call(SiloState state, CancellationTokenSource linked)
        {
            _state = state;
            _linked = linked;
            Token = linked.Token;
        }

        /// <summary>Cancelled by the job, or when the call's silo (or the gateway it may have gone through) is found gone.</summary>
        public CancellationToken Token { get; }

        /// <summary>Whether the call has ended (returned or failed).</summary>
        public bool Ended => Volatile.Read(ref _ended) != 0;

        /// <inheritdoc />
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                Volatile.Write(ref _state.LastAnswer, Stopwatch.GetTimestamp());
                Interlocked.Decrement(ref _state.Pending);
                _linked.Dispose();
            }
        }
    }

    /// <summary>What the watch knows of one silo.</summary>
    internal sealed class SiloState
    {
        public CancellationTokenSource Calls = new();
        public int Pending;
        public long LastAnswer;
        public long LastPing;
        public long LastPingAnswer;
        public int PingInFlight;
        public long SuspectUntil;
        public int GatewayInterrupted;
        public Task<bool>? Confirmation;
        public readonly Lock Gate = new();
        public volatile bool Dead;
        public volatile bool Inactive;
        public volatile bool Leaving;
    }

    private sealed class Listener(SiloWatch watch, Action<ClusterTopology> onTopology) : IDisposable
    {
        public void OnTopology(ClusterTopology topology) => onTopology(topology);

        public void Dispose()
        {
            lock (watch._gate)
            {
                watch._listeners.Remove(this);
            }
        }
    }
}
