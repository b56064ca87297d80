using System.Runtime.InteropServices;

namespace Recsys.Algorithms;

/// <summary>
/// Where training's CPU work runs, so that it never takes every core from requests served by the same process: at most
/// <see cref="MaxDegreeOfParallelism"/> dedicated threads (not the shared thread pool that serves requests), each at
/// below-normal priority — <see cref="ThreadPriority.BelowNormal"/>, and on Linux, where that property has no effect, a
/// nice value of 10 for the thread. Every parallel loop of the trainers takes its <see cref="ParallelOptions"/> from
/// <see cref="Shared"/>, and training runs its long CPU phases through <see cref="RunAsync{T}"/>.
/// </summary>
/// <remarks>
/// A task waited on from one of the scheduler's own threads runs inline, so nested parallel loops cannot deadlock.
/// Lower priority has a cost where other processes keep every core busy: a garbage collection must stop every thread,
/// and a starved low-priority training thread can hold that stop, and so every request, for a while (the
/// serving-during-training benchmark saw such stalls on a shared, heavily loaded machine). <see cref="Configure"/>
/// with <c>lowerPriority: false</c> keeps the bound without the priority.
/// </remarks>
public sealed partial class TrainingScheduler : TaskScheduler, IDisposable
{
    /// <summary>The nice value of training threads on Linux (0 is normal, 19 the lowest priority).</summary>
    public const int LinuxNice = 10;

    [ThreadStatic]
    private static TrainingScheduler? t_owner;

    private static TrainingScheduler s_shared = new(DefaultDegreeOfParallelism);

    private readonly LinkedList<Task> _queue = new();
    private readonly object _gate = new();
    private readonly Thread[] _threads;
    private readonly bool _lowerPriority;
    private bool _disposed;

    /// <summary>Starts <paramref name="maxDegreeOfParallelism"/> background threads, at below-normal priority unless <paramref name="lowerPriority"/> is false.</summary>
    public TrainingScheduler(int maxDegreeOfParallelism, bool lowerPriority = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDegreeOfParallelism, 1);
        MaxDegreeOfParallelism = maxDegreeOfParallelism;
        _lowerPriority = lowerPriority;
        _threads = new Thread[maxDegreeOfParallelism];
        for (var i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Work)
            {
                IsBackground = true,
                Name = "recsys-training-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Priority = lowerPriority ? ThreadPriority.BelowNormal : ThreadPriority.Normal,
            };
            _threads[i].Start();
        }
    }

    /// <summary>The default bound: every core but one (at least one), so that one core is always left for serving.</summary>
    public static int DefaultDegreeOfParallelism => Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>The scheduler every trainer uses (bound <see cref="DefaultDegreeOfParallelism"/> until <see cref="Configure"/>).</summary>
    public static TrainingScheduler Shared => Volatile.Read(ref s_shared);

    /// <summary>
    /// Expected speed-up of training's CPU work on <paramref name="threads"/> threads over one, for the trainers' time
    /// estimates: each core beyond the first adds 0.8 (a second core of the 2-core VMs measured; shared caches and
    /// memory bandwidth keep it below 1). Zero or less counts as the machine's cores.
    /// </summary>
    internal static double Speedup(int threads)
    {
        var cores = threads <= 0 ? Environment.ProcessorCount : Math.Min(threads, Environment.ProcessorCount);
        return 1 + ((cores - 1) * 0.8);
    }

    /// <summary>Most threads training uses at once.</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <summary>Whether the threads run at below-normal priority (nice <see cref="LinuxNice"/> on Linux).</summary>
    public bool LowersPriority => _lowerPriority;

    /// <inheritdoc />
    public override int MaximumConcurrencyLevel => MaxDegreeOfParallelism;

    /// <summary>
    /// Sets how many threads training may use in this process and whether they run at lower priority (the one call a
    /// host makes at start, e.g. from <c>Recsys:Training:MaxDegreeOfParallelism</c> and <c>Recsys:Training:LowerPriority</c>);
    /// a degree of null or less than 1 means the default.
    /// </summary>
    public static void Configure(int? maxDegreeOfParallelism, bool lowerPriority = true)
    {
        var degree = maxDegreeOfParallelism is > 0 ? maxDegreeOfParallelism.Value : DefaultDegreeOfParallelism;
        var current = Shared;
        if (current.MaxDegreeOfParallelism == degree && current.LowersPriority == lowerPriority)
        {
            return;
        }

        Use(new TrainingScheduler(degree, lowerPriority));
    }

    /// <summary>Makes <paramref name="scheduler"/> the one every trainer uses (benchmarks compare settings this way).</summary>
    public static void Use(TrainingScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);

        // Work already queued on the old scheduler still finishes there.
        var old = Interlocked.Exchange(ref s_shared, scheduler);
        if (!ReferenceEquals(old, scheduler))
        {
            old.Dispose();
        }
    }

    /// <summary>
    /// Options for a training loop: this scheduler's threads, and at most <paramref name="requested"/> of them when a
    /// trainer's own option asks for fewer (-1 or 0: no further bound).
    /// </summary>
    public ParallelOptions ParallelOptions(int requested = -1, CancellationToken cancellationToken = default) => new()
    {
        MaxDegreeOfParallelism = requested > 0 ? Math.Min(requested, MaxDegreeOfParallelism) : MaxDegreeOfParallelism,
        TaskScheduler = this,
        CancellationToken = cancellationToken,
    };

    /// <summary>Runs <paramref name="work"/> on one of the training threads.</summary>
    public Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken = default)
        => Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.DenyChildAttach, this);

    /// <summary>Lets the threads finish what is queued and end; later work goes to the thread pool.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <inheritdoc />
    protected override void QueueTask(Task task)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _queue.AddLast(task);
                Monitor.Pulse(_gate);
                return;
            }
        }

        ThreadPool.UnsafeQueueUserWorkItem(_ => TryExecuteTask(task), null);
    }

    /// <inheritdoc />
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued)
        => t_owner == this && (!taskWasPreviouslyQueued || TryDequeue(task)) && TryExecuteTask(task);

    /// <inheritdoc />
    protected override bool TryDequeue(Task task)
    {
        lock (_gate)
        {
            return _queue.Remove(task);
        }
    }

    /// <inheritdoc />
    protected override IEnumerable<Task> GetScheduledTasks()
    {
        lock (_gate)
        {
            return [.. _queue];
        }
    }

    private void Work()
    {
        t_owner = this;
        if (_lowerPriority)
        {
            LowerThreadPriority();
        }

        while (true)
        {
            Task task;
            lock (_gate)
            {
                while (_queue.Count == 0 && !_disposed)
                {
                    Monitor.Wait(_gate);
                }

                if (_queue.First is not { } first)
                {
                    return;
                }

                task = first.Value;
                _queue.RemoveFirst();
            }

            TryExecuteTask(task);
        }
    }

    /// <summary>Whether the calling thread runs at training priority (for tests and diagnostics).</summary>
    public static bool IsTrainingThread => t_owner is not null;

    /// <summary>The calling thread's nice value on Linux, or null elsewhere (for tests and diagnostics).</summary>
    public static int? CurrentThreadNice => OperatingSystem.IsLinux() ? Native.getpriority(Native.PrioProcess, Native.gettid()) : null;

    private static void LowerThreadPriority()
    {
        if (OperatingSystem.IsLinux())
        {
            // On Linux the nice value is per thread; raising it needs no privilege. Failure leaves normal priority.
            _ = Native.setpriority(Native.PrioProcess, Native.gettid(), LinuxNice);
        }
    }

    private static partial class Native
    {
        public const int PrioProcess = 0;

        [LibraryImport("libc")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int gettid();

        [LibraryImport("libc")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int setpriority(int which, int who, int prio);

        [LibraryImport("libc")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int getpriority(int which, int who);
    }
}
