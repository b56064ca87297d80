namespace Recsys.Algorithms.Data;

/// <summary>How <see cref="InteractionMatrix.FromCoordinates"/> merges several events of the same (user, item) pair.</summary>
public enum DuplicateMerge
{
    /// <summary>The merged weight is the sum of the events' weights (counts repeated interactions).</summary>
    Sum = 0,

    /// <summary>The merged weight is the largest of the events' weights (e.g. the best rating).</summary>
    Max = 1,
}
