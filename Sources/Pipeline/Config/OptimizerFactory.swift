import Layers

extension TrainingConfig {
    /// The optimizer this section describes: Adam, SGD, RMSprop or Nadam with its learning rate, moments,
    /// `weight_decay` (Keras's decoupled decay; 0: none), gradient clipping and learning-rate schedule,
    /// for a run of `epochs` epochs of `stepsPerEpoch` updates (the length of a schedule without
    /// `decay_steps`).
    public func makeOptimizer(stepsPerEpoch: Int) -> Optimizer {
        let schedule = learningRateSchedule?.schedule(epochs: epochs, stepsPerEpoch: stepsPerEpoch)
        switch optimizer {
        case .adam:
            return Adam(learningRate: Float(learningRate), beta1: Float(beta1), beta2: Float(beta2),
                        epsilon: Float(epsilon), weightDecay: Float(weightDecay), clipping: clipping,
                        schedule: schedule)
        case .rmsprop:
            return RMSprop(learningRate: Float(learningRate), rho: Float(rho), momentum: Float(momentum),
                           epsilon: Float(epsilon), centered: centered, weightDecay: Float(weightDecay),
                           clipping: clipping, schedule: schedule)
        case .nadam:
            return Nadam(learningRate: Float(learningRate), beta1: Float(beta1), beta2: Float(beta2),
                         epsilon: Float(epsilon), weightDecay: Float(weightDecay), clipping: clipping, schedule: schedule)
        case .sgd:
            return SGD(learningRate: Float(learningRate), momentum: Float(momentum), nesterov: nesterov,
                       weightDecay: Float(weightDecay), clipping: clipping, schedule: schedule)
        }
    }
}
