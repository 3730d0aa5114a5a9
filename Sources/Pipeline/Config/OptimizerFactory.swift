import Layers

extension TrainingConfig {
    /// The optimizer this section describes: Adam or SGD with its learning rate, moments,
    /// `weight_decay` (Keras's decoupled decay; 0: none) and gradient clipping.
    public func makeOptimizer() -> Optimizer {
        switch optimizer {
        case .adam:
            return Adam(learningRate: Float(learningRate), beta1: Float(beta1), beta2: Float(beta2),
                        epsilon: Float(epsilon), weightDecay: Float(weightDecay), clipping: clipping)
        case .sgd:
            return SGD(learningRate: Float(learningRate), momentum: Float(momentum), nesterov: nesterov,
                       weightDecay: Float(weightDecay), clipping: clipping)
        }
    }
}
