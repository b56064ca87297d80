using Recsys.Core.Events;

namespace Recsys.Core.Tests;

public sealed class GroupCommitTests
{
    [Fact]
    public async Task Items_that_arrive_during_a_write_go_in_the_next_one_and_each_caller_gets_its_writes_outcome()
    {
        var writes = new List<int[]>();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fail = true;
        var commit = new GroupCommit<int>(async items =>
        {
            lock (writes)
            {
                writes.Add([.. items.Order()]);
            }

            first.TrySetResult();
            await release.Task;
            if (fail)
            {
                fail = false;
                throw new InvalidOperationException("storage said no");
            }
        });

        var a = commit.AddAsync(1, CancellationToken.None);
        await first.Task; // the first write is under way with item 1
        var b = commit.AddAsync(2, CancellationToken.None);
        var c = commit.AddAsync(3, CancellationToken.None);
        release.SetResult();

        // The first write failed: its caller gets the error; the next write carries the two that waited, and succeeds.
        Assert.Equal("storage said no", (await Assert.ThrowsAsync<InvalidOperationException>(() => a)).Message);
        await b;
        await c;
        Assert.Equal([[1], [2, 3]], writes);

        // After a failure the commit keeps working.
        await commit.AddAsync(4, CancellationToken.None);
        Assert.Equal([4], writes[^1]);
    }
}
