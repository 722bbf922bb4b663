/// Namespace of the demo scenarios.
public enum DemoScenarios {}
