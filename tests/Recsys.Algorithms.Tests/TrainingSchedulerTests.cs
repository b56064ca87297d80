namespace Recsys.Algorithms.Tests;

/// <summary>Training's threads: bounded, off the thread pool, at lower priority, and safe for nested loops.</summary>
public sealed class TrainingSchedulerTests
{
    [Fact]
    public async Task Work_runs_on_its_own_low_priority_threads_never_more_than_the_bound_at_once()
    {
        using var scheduler = new TrainingScheduler(2);
        var running = 0;
        var most = 0;
        var onPool = 0;
        var notTraining = 0;
        int? nice = null;

        await scheduler.RunAsync(() =>
        {
            nice = TrainingScheduler.CurrentThreadNice;
            Parallel.For(0, 64, scheduler.ParallelOptions(), _ =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref most, now);
                if (Thread.CurrentThread.IsThreadPoolThread)
                {
                    Interlocked.Increment(ref onPool);
                }

                if (!TrainingScheduler.IsTrainingThread)
                {
                    Interlocked.Increment(ref notTraining);
                }

                Thread.Sleep(1);
                Interlocked.Decrement(ref running);
            });
            return 0;
        });

        Assert.InRange(most, 1, 2);
        Assert.Equal(0, onPool);
        Assert.Equal(0, notTraining);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(TrainingScheduler.LinuxNice, nice);
        }
    }

    [Fact]
    public void A_trainer_option_can_only_lower_the_bound()
    {
        using var scheduler = new TrainingScheduler(3);

        Assert.Equal(3, scheduler.ParallelOptions().MaxDegreeOfParallelism);
        Assert.Equal(3, scheduler.ParallelOptions(-1).MaxDegreeOfParallelism);
        Assert.Equal(1, scheduler.ParallelOptions(1).MaxDegreeOfParallelism);
        Assert.Equal(3, scheduler.ParallelOptions(16).MaxDegreeOfParallelism);
        Assert.Same(scheduler, scheduler.ParallelOptions().TaskScheduler);
        Assert.Equal(Math.Max(1, Environment.ProcessorCount - 1), TrainingScheduler.DefaultDegreeOfParallelism);
    }

    [Fact]
    public async Task Nested_parallel_loops_on_every_thread_finish()
    {
        using var scheduler = new TrainingScheduler(2);
        var cells = new int[16, 16];

        await scheduler.RunAsync(() =>
        {
            Parallel.For(0, 16, scheduler.ParallelOptions(), i =>
                Parallel.For(0, 16, scheduler.ParallelOptions(), j => cells[i, j] = (i * 16) + j));
            return 0;
        });

        Assert.Equal(Enumerable.Range(0, 256), cells.Cast<int>());
    }

    [Fact]
    public async Task Work_queued_after_dispose_still_runs()
    {
        var scheduler = new TrainingScheduler(1);
        scheduler.Dispose();

        Assert.Equal(42, await scheduler.RunAsync(() => 42));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
