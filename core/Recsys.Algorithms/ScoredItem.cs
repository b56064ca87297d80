namespace Recsys.Algorithms;

/// <summary>An item index with its model score.</summary>
/// <param name="Item">The item index (column of the training <see cref="Data.InteractionMatrix"/>).</param>
/// <param name="Score">The model score; higher is better.</param>
public readonly record struct ScoredItem(int Item, float Score);
