namespace Grocery.Workflows.Tests.Shared;

/// <summary>
/// Marks a helper that fails the test when what it waits for does not come: a test that calls it asserts. SonarAnalyzer
/// (S2699) knows such helpers by this attribute's name, as it knows JetBrains' attribute of the same name.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class AssertionMethodAttribute : Attribute;
